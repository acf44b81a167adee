#include "index/binary_index.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "annlab/pca.h"
#include "parts/pq.h"
#include "annlab/vector_store.h"
#include "parts/topk.h"
#include "parts/tracer.h"
#include "parts/topk.h"

namespace annlab {

void select_smallest(const uint32_t* dist, size_t n, uint32_t max_dist, size_t cap, std::vector<int64_t>* out) {
  cap = std::min(cap, n);
  out->assign(cap, -1);
  if (cap == 0) return;
  std::vector<size_t> hist(size_t(max_dist) + 1, 0);
  for (size_t i = 0; i < n; ++i) ++hist[std::min(dist[i], max_dist)];
  // t: the distance at which the cap is reached; everything nearer is taken, then the first
  // (lowest-index) ones at distance t.
  size_t before = 0;
  uint32_t t = 0;
  for (; t < max_dist; ++t) {
    if (before + hist[t] >= cap) break;
    before += hist[t];
  }
  std::vector<size_t> next(size_t(t) + 1);
  for (size_t u = 0, pos = 0; u <= t; ++u) {
    next[u] = pos;
    pos += hist[u];
  }
  size_t left_at_t = cap - before;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t d = std::min(dist[i], max_dist);
    if (d < t) (*out)[next[d]++] = int64_t(i);
    else if (d == t && left_at_t) {
      (*out)[next[d]++] = int64_t(i);
      --left_at_t;
    }
  }
}

void hamming_smallest(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, size_t cap,
                      std::vector<int64_t>* out) {
  hamming_smallest_group(q, 1, codes, n, words, cap, out);
}

void hamming_smallest_group(const uint64_t* qs, size_t g, const uint64_t* codes, size_t n, size_t words, size_t cap,
                            std::vector<int64_t>* outs) {
  cap = std::min(cap, n);
  for (size_t i = 0; i < g; ++i) outs[i].clear();
  if (cap == 0 || g == 0) return;
  const Kernels& kern = kernels();
  constexpr size_t kBlock = 256;
  uint32_t dist[kBlock];
  std::vector<detail::HammingHeap> tops(g, detail::HammingHeap(cap));
  for (size_t b0 = 0; b0 < n; b0 += kBlock) {
    const size_t nb = std::min(kBlock, n - b0);
    const uint64_t* block = codes + b0 * words;
    for (size_t i = 0; i < g; ++i) {  // the block stays in L1 for the whole group
      // Once a heap is full most blocks hold no code below its bound: the scan's minimum skips them.
      detail::HammingHeap& top = tops[i];
      if (kern.hamming_scan(qs + i * words, block, nb, words, dist) >= top.bound()) continue;
      for (size_t j = 0; j < nb; ++j) top.push(dist[j], b0 + j);
    }
  }
  for (size_t i = 0; i < g; ++i) tops[i].take(&outs[i]);
}

BinaryCodeIndex::BinaryCodeIndex(std::unique_ptr<BinaryEncoder> encoder, const BuildParams& params)
    : Index(encoder->dim()),
      bits_(encoder->bits()),
      words_(encoder->words()),
      enc_(std::move(encoder)),
      params_(params),
      planes_(bits_) {}

// Whether this build ranks with bit planes: WebAssembly has no 64-bit popcount (see bit_planes.h).
constexpr bool kUseBitPlanes =
#if defined(ANNLAB_HAVE_SIMD128)
    true;
#else
    false;
#endif

std::string BinaryCodeIndex::describe() const { return cat(enc_->name(), bits_); }

Status BinaryCodeIndex::train(const VectorView& x) { return train_task(x).run(); }

TrainTask BinaryCodeIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (is_trained()) co_return Status::error(cat(describe(), " is already trained"));
  ANNLAB_CO_RUN(enc_->train_task(x, params_.seed));
  co_return Status::ok();
}

void BinaryCodeIndex::encode(const float* x, uint64_t* code) const { enc_->encode(x, code); }

Status BinaryCodeIndex::add(const VectorView& x) {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(x.check_finite("added"));
  ANNLAB_TRY(enc_->check_inputs(x));
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("binary codes", x.n, words_, 8));
  ANNLAB_TRY(check_memory(cat("adding ", x.n, " vectors to ", describe()), bytes));
  const size_t at = codes_.size();
  codes_.resize(at + x.n * words_);
  constexpr size_t kBlock = 256;  // rows encoded per call (a model runs them as one batch)
  std::vector<float> rows(kBlock * dim());
  for (size_t i = 0; i < x.n; i += kBlock) {
    const size_t m = std::min(kBlock, x.n - i);
    for (size_t j = 0; j < m; ++j) x.row_to_f32(i + j, rows.data() + j * dim());
    enc_->encode_rows(rows.data(), m, codes_.data() + at + i * words_);
  }
  if (kUseBitPlanes) planes_.append(codes_.data() + at, x.n, words_);
  return Status::ok();
}

template <class Tracer>
void BinaryCodeIndex::search_one(const VectorView& q, size_t i, size_t k, const SearchParams& p, int64_t* ids,
                                 float* dist, QueryStats* st, Tracer& tr, std::vector<uint32_t>& ham) const {
  const Kernels& kern = kernels();
  std::vector<float> qf(dim());
  std::vector<uint64_t> code(words_);
  enc_->encode_row(q, i, qf.data(), code.data());
  const size_t n = size();
  st->candidates = n;
  const size_t cap = std::min(n, k);
  std::vector<int64_t> cand;
  if (Tracer::kOn || uint64_t(n) >= (uint64_t{1} << 32)) {
    // Every distance is an event: one scan into ham, then the counting selection (same answer).
    ham.resize(n);
    kern.hamming_scan(code.data(), codes_.data(), n, words_, ham.data());
    select_smallest(ham.data(), n, uint32_t(bits_), cap, &cand);
    if constexpr (Tracer::kOn) {
      for (size_t id = 0; id < n; ++id) tr.event(TraceKind::CodeCompared, 0, int64_t(id), float(ham[id]));
    }
  } else if (kUseBitPlanes && planes_.size() == n) {
    planes_.smallest(code.data(), cap, &cand);
  } else {
    hamming_smallest(code.data(), codes_.data(), n, words_, cap, &cand);
  }
  write_results(code.data(), cand, k, ids, dist, tr);
}

template <class Tracer>
void BinaryCodeIndex::write_results(const uint64_t* code, const std::vector<int64_t>& cand, size_t k, int64_t* ids,
                                    float* dist, Tracer& tr) const {
  const Kernels& kern = kernels();
  for (size_t r = 0; r < k; ++r) {
    uint32_t h = 0;
    if (r < cand.size()) kern.hamming_scan(code, codes_.data() + size_t(cand[r]) * words_, 1, words_, &h);
    ids[r] = r < cand.size() ? cand[r] : -1;
    dist[r] = r < cand.size() ? float(h) : std::numeric_limits<float>::infinity();
    if constexpr (Tracer::kOn) {
      if (r < cand.size()) tr.event(TraceKind::TopKChanged, uint32_t(r), cand[r], dist[r]);
    }
  }
}

void BinaryCodeIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids,
                                   float* distances, QueryStats* stats) const {
  detail::NullTracer tr;
  const size_t n = size();
  if (kUseBitPlanes || q.n < 2 || uint64_t(n) >= (uint64_t{1} << 32)) {
    std::vector<uint32_t> ham;
    for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, p, ids + i * k, distances + i * k, stats + i, tr, ham);
    return;
  }
  // Natively, groups of queries share each block of codes while it is in L1 (as FAISS's batched
  // binary scan does); each query's heap sees the same codes in the same order as alone, so the
  // answers are the one-query scan's.
  constexpr size_t kGroup = 8;
  const size_t cap = std::min(n, k);
  std::vector<float> qf(dim());
  std::vector<uint64_t> qcodes(kGroup * words_);
  std::vector<std::vector<int64_t>> cand(kGroup);
  for (size_t i0 = 0; i0 < q.n; i0 += kGroup) {
    const size_t g = std::min(kGroup, q.n - i0);
    for (size_t i = 0; i < g; ++i) {
      enc_->encode_row(q, i0 + i, qf.data(), qcodes.data() + i * words_);
    }
    hamming_smallest_group(qcodes.data(), g, codes_.data(), n, words_, cap, cand.data());
    for (size_t i = 0; i < g; ++i) {
      stats[i0 + i].candidates = n;
      write_results(qcodes.data() + i * words_, cand[i], k, ids + (i0 + i) * k, distances + (i0 + i) * k, tr);
    }
  }
}

Result<Structure> BinaryCodeIndex::explain_structure() const {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  // A sign-projection encoder's bits are hyperplanes; another encoder's are not drawn as such.
  if (const auto* sp = dynamic_cast<const SignProjectionEncoder*>(enc_.get())) {
    HyperplaneLayer hp;
    for (size_t j = 0; j < bits_; ++j)
      hp.planes.push_back({0, uint32_t(j),
                           std::vector<float>(sp->projections().begin() + long(j * dim()),
                                              sp->projections().begin() + long((j + 1) * dim())),
                           sp->thresholds()[j]});
    s.layers.push_back(std::move(hp));
  }
  BinaryCodeLayer codes;
  codes.bits = bits_;
  codes.words = words_;
  codes.codes = codes_;
  s.layers.push_back(std::move(codes));
  return s;
}

Result<Trace> BinaryCodeIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    std::vector<uint32_t> ham;
    search_one(q, 0, k, p, t.ids.data(), t.distances.data(), &t.stats, tr, ham);
    std::vector<float> v(dim());
    q.row_to_f32(0, v.data());
    t.code_bits = uint32_t(bits_);
    t.query_code.assign(words_, 0);
    encode(v.data(), t.query_code.data());
    t.code_distances.resize(size());
    kernels().hamming_scan(t.query_code.data(), codes_.data(), size(), words_, t.code_distances.data());
  });
}

void BinaryCodeIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(bits_);
  w.put<uint64_t>(params_.seed);
  enc_->save(w);
  w.array(codes_);
  write_refine_block(w, dim());
}

Status BinaryCodeIndex::load_payload(BinaryReader& r) {
  uint64_t bits = 0;
  ANNLAB_TRY(r.get(&bits, "binary-code bits"));
  if (bits != bits_) return r.error(cat("binary-code payload has ", bits, " bits; the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "binary-code seed"));
  ANNLAB_TRY(enc_->load(r));
  const bool trained = enc_->trained();
  ANNLAB_TRY(r.array(&codes_, "binary codes", r.remaining() / 8));
  if (codes_.size() % words_)
    return r.error(cat("binary-code index holds ", codes_.size(), " code words, not a multiple of ", words_,
                       " words per code"));
  ANNLAB_TRY(read_refine_block(r, dim()));
  if (!trained && !codes_.empty()) return r.error("binary-code index holds vectors but no projections");
  // Bits past `bits` in the last word must be zero (they would count in every distance).
  if (bits_ % 64)
    for (size_t i = 0; i < size(); ++i)
      if (codes_[i * words_ + words_ - 1] >> (bits_ % 64))
        return r.error(cat("binary code ", i, " has bits set beyond bit ", bits_));
  planes_ = BitPlanes(bits_);
  if (kUseBitPlanes) planes_.append(codes_.data(), size(), words_);
  return Status::ok();
}

}  // namespace annlab
