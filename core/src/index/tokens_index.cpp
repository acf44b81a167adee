#include "index/tokens_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "parts/kmeans.h"
#include "annlab/memory.h"
#include "annlab/vector_store.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab {

TokensIndex::TokensIndex(size_t d, size_t g, size_t m, const BuildParams& params)
    : Index(d), g_(g), m_(m), dsub_(g ? d / g : 0), params_(params), pq_(d, g, m) {}

double TokensIndex::term_weight(bool bm25, size_t df, size_t n_docs, size_t g) {
  const double n = double(n_docs), f = double(df);
  if (!bm25) {
    const double idf = 1.0 + std::log(n / (f + 1.0));
    return idf * idf;
  }
  constexpr double k1 = 1.2, b = 0.75;
  const double idf = std::log(1.0 + (n - f + 0.5) / (f + 0.5));
  const double tf = 1.0, dl = double(g), avgdl = double(g);
  return idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / avgdl));
}

size_t TokensIndex::memory_bytes() const {
  return pq_.codebooks().size() * 4 + tokens_.size() * 2 + labels_.size() * 4 + offsets_.size() * 4 +
         postings_.size() * 4;
}

TrainTask TokensIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (is_trained()) co_return Status::error(cat(describe(), " is already trained"));
  if (dim() % g_ != 0)
    co_return Status::error(cat(describe(), ": dimension ", dim(), " is not divisible by g = ", g_));
  if (x.n < m_)
    co_return Status::error(cat(describe(), " needs at least ", m_, " training vectors (", m_,
                                " centroids per sub-space), got ", x.n));
  ANNLAB_CO_TRY(x.check_finite("training"));
  ANNLAB_CO_TRY(check_memory_for("token centroids", g_ * m_, dsub_, 4, cat("training ", describe())));
  const std::vector<float> sample = sample_rows(x, std::max<size_t>(m_ * 256, 1), params_.seed);
  const size_t ns = sample.size() / dim();
  // k-means per sub-space: the product quantizer with m centroids (sub-space j draws from seed + 1 + j).
  ANNLAB_CO_RUN(pq_.train_task(sample.data(), ns, params_.seed + 1, KMeansParams{}.iterations, describe()));
  rebuild_postings();
  co_return Status::ok();
}

void TokensIndex::tokenize(const float* x, uint16_t* tokens) const { pq_.encode_wide(x, 1, tokens); }

Status TokensIndex::add(const VectorView& x) {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  if (size() + x.n > UINT32_MAX) return Status::error(cat(describe(), " holds at most ", UINT32_MAX, " vectors"));
  ANNLAB_TRY(x.check_finite("added"));
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("tokens", x.n, g_, 2 + 4));
  ANNLAB_TRY(check_memory(cat("adding ", x.n, " vectors to ", describe()), bytes));
  const size_t at = tokens_.size();
  tokens_.resize(at + x.n * g_);
  // Sub-space by sub-space, in blocks, so the assignment runs as matrix products.
  constexpr size_t kBlock = 4096;
  std::vector<float> rows;
  for (size_t b0 = 0; b0 < x.n; b0 += kBlock) {
    const size_t nb = std::min(kBlock, x.n - b0);
    rows.resize(nb * dim());
    for (size_t i = 0; i < nb; ++i) x.row_to_f32(b0 + i, rows.data() + i * dim());
    pq_.encode_wide(rows.data(), nb, tokens_.data() + at + b0 * g_);
  }
  labels_.resize(size(), -1);
  rebuild_postings();
  return Status::ok();
}

void TokensIndex::rebuild_postings() {
  const size_t n = size(), nt = g_ * m_;
  offsets_.assign(nt + 1, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < g_; ++j) ++offsets_[j * m_ + tokens_[i * g_ + j] + 1];
  for (size_t t = 0; t < nt; ++t) offsets_[t + 1] += offsets_[t];
  postings_.resize(n * g_);
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < g_; ++j) postings_[fill[j * m_ + tokens_[i * g_ + j]]++] = uint32_t(i);
}

Status TokensIndex::set_labels(std::vector<int32_t> labels) {
  if (labels.size() != size())
    return Status::error(cat(describe(), ": ", labels.size(), " labels for ", size(), " indexed vectors"));
  labels_ = std::move(labels);
  has_labels_ = true;
  return Status::ok();
}

Status TokensIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  if (p.label && !has_labels_)
    return Status::error(cat("search parameter label: ", describe(),
                             " has no labels to filter on (its vectors were indexed without labels)"));
  return Status::ok();
}

template <class Tracer>
void TokensIndex::search_one(const VectorView& q, size_t i, size_t k, const SearchParams& p, std::vector<float>& acc,
                             std::vector<uint32_t>& touched, int64_t* ids, float* dist, QueryStats* st,
                             Tracer& tr) const {
  std::vector<float> qf(dim());
  q.row_to_f32(i, qf.data());
  std::vector<uint16_t> qt(g_);
  tokenize(qf.data(), qt.data());
  // The more-like-this terms: drop the rare-in-the-index ones below min_doc_freq, keep the
  // max_query_terms of highest weight (rarest first; ties to the lower sub-space).
  const bool bm25 = p.scoring.value_or("bm25") == "bm25";
  const size_t n = size(), min_df = size_t(p.min_doc_freq.value_or(1));
  struct Term { double weight; uint32_t j; };
  std::vector<Term> terms;
  for (size_t j = 0; j < g_; ++j) {
    const size_t df = doc_freq(j, qt[j]);
    if (df >= min_df && df > 0) terms.push_back({term_weight(bm25, df, n, g_), uint32_t(j)});
  }
  std::stable_sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.weight > b.weight; });
  terms.resize(std::min(terms.size(), size_t(p.max_query_terms.value_or(int64_t(g_)))));
  const bool filter = p.label.has_value();
  const int32_t want = filter ? int32_t(*p.label) : 0;
  acc.resize(n, 0.0f);
  touched.clear();
  for (const Term& t : terms) {
    const size_t tok = t.j * m_ + qt[t.j];
    ++st->buckets;
    if constexpr (Tracer::kOn) tr.event(TraceKind::BucketOpened, t.j, int64_t(qt[t.j]), float(doc_freq(t.j, qt[t.j])));
    const float w = float(t.weight);
    for (uint32_t o = offsets_[tok]; o < offsets_[tok + 1]; ++o) {
      const uint32_t id = postings_[o];
      if (filter && labels_[id] != want) continue;
      if (acc[id] == 0.0f) touched.push_back(id);
      acc[id] += w;
    }
  }
  st->candidates = touched.size();
  detail::TopK best(k);
  for (uint32_t id : touched) {
    best.push(-double(acc[id]), id);
    acc[id] = 0.0f;
  }
  best.write(ids, dist);
  // The heap ranked minus the score; the answer gives the score itself (DistanceKind::Score).
  for (size_t r = 0; r < k; ++r) dist[r] = -dist[r];
  if constexpr (Tracer::kOn) {
    for (size_t r = 0; r < k && ids[r] >= 0; ++r) tr.event(TraceKind::TopKChanged, uint32_t(r), ids[r], dist[r]);
  }
}

void TokensIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                               QueryStats* stats) const {
  detail::NullTracer tr;
  std::vector<float> acc;
  std::vector<uint32_t> touched;
  for (size_t i = 0; i < q.n; ++i)
    search_one(q, i, k, p, acc, touched, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> TokensIndex::explain_structure() const {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  TokenLayer tl;
  tl.g = g_;
  tl.m = m_;
  tl.dsub = dsub_;
  tl.centroids = pq_.codebooks();
  tl.tokens = tokens_;
  s.layers.push_back(std::move(tl));
  return s;
}

Result<Trace> TokensIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    std::vector<float> acc;
    std::vector<uint32_t> touched;
    search_one(q, 0, k, p, acc, touched, t.ids.data(), t.distances.data(), &t.stats, tr);
  });
}

void TokensIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(g_);
  w.put<uint64_t>(m_);
  w.put<uint64_t>(params_.seed);
  w.array(pq_.codebooks());
  w.array(tokens_);
  w.put<uint8_t>(has_labels_ ? 1 : 0);
  w.array(labels_);
  write_refine_block(w, dim());
}

Status TokensIndex::load_payload(BinaryReader& r) {
  uint64_t g = 0, m = 0;
  ANNLAB_TRY(r.get(&g, "tokens g"));
  ANNLAB_TRY(r.get(&m, "tokens m"));
  if (g != g_ || m != m_)
    return r.error(cat("tokens payload is for Tokens", g, "x", m, "; the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "tokens seed"));
  std::vector<float> centroids;
  ANNLAB_TRY(r.array(&centroids, "token centroids", r.remaining() / 4));
  if (!centroids.empty() && centroids.size() != g_ * m_ * dsub_)
    return r.error(cat("tokens index holds ", centroids.size(), " centroid floats, expected ", g_ * m_ * dsub_));
  ANNLAB_TRY(VectorView::of(centroids.data(), centroids.size(), 1).check_finite("token centroid"));
  const bool has_centroids = !centroids.empty();
  pq_.set_codebooks(std::move(centroids));
  ANNLAB_TRY(r.array(&tokens_, "tokens", r.remaining() / 2));
  uint8_t has = 0;
  ANNLAB_TRY(r.get(&has, "tokens has-labels flag"));
  if (has > 1) return r.error(cat("tokens has-labels flag is ", int(has), ", expected 0 or 1"));
  has_labels_ = has == 1;
  ANNLAB_TRY(r.array(&labels_, "token labels", r.remaining() / 4));
  ANNLAB_TRY(read_refine_block(r, dim()));
  const size_t n = size();
  if (tokens_.size() != n * g_ || labels_.size() != n)
    return r.error(cat("tokens index holds ", tokens_.size(), " tokens and ", labels_.size(), " labels for ", n,
                       " vectors of ", g_, " tokens"));
  if (!has_centroids && n) return r.error("tokens index holds vectors but no centroids");
  for (size_t i = 0; i < tokens_.size(); ++i)
    if (tokens_[i] >= m_) return r.error(cat("token ", i, " is centroid ", tokens_[i], ", expected < ", m_));
  if (has_centroids) rebuild_postings();
  return Status::ok();
}

}  // namespace annlab
