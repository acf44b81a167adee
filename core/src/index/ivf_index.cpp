#include "index/ivf_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/distance.h"
#include "annlab/memory.h"
#include "annlab/vector_store.h"
#include "parts/routers.h"
#include "parts/tracer.h"

namespace annlab {

IvfIndex::IvfIndex(size_t d, size_t nlist, IvfLists lists, size_t pq_m, const BuildParams& params)
    : IvfIndex(make_centroid_router(d, nlist), lists, pq_m, params) {}

IvfIndex::IvfIndex(std::unique_ptr<CellRouter> router, IvfLists lists, size_t pq_m, const BuildParams& params)
    : Index(router->dim()), nlist_(router->cells()), kind_(pq_m ? lists : IvfLists::Flat), params_(params),
      router_(std::move(router)), lists_(nlist_) {
  const size_t d = dim();
  const std::string what = describe();
  switch (kind_) {
    case IvfLists::Flat: scanner_ = make_flat_scanner(d); break;
    case IvfLists::PqResiduals: scanner_ = make_pq_residual_scanner(d, pq_m, what); break;
    case IvfLists::LocalPq: scanner_ = make_local_pq_scanner(d, pq_m, what); break;
  }
}

std::string IvfIndex::describe() const {
  if (router_->ranks_members()) return cat("Router", nlist_);
  const size_t m = scanner_ ? scanner_->code_m() : 0;
  switch (kind_) {
    case IvfLists::LocalPq: return cat("LOPQ", nlist_, ",PQ", m);
    case IvfLists::PqResiduals: return cat("IVF", nlist_, ",PQ", m);
    case IvfLists::Flat: break;
  }
  return cat("IVF", nlist_, ",Flat");
}

Status IvfIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  if (p.nprobe && size_t(*p.nprobe) > nlist_)
    return Status::error(cat("nprobe = ", *p.nprobe, " exceeds the ", nlist_, " cells of ", describe()));
  if (router_->ranks_members() && p.rerank) {
    ANNLAB_TRY(router_->members_status());
    const size_t limit = router_->ranked_cells_limit();
    if (size_t(p.nprobe.value_or(1)) > limit)
      return Status::error(cat(describe(), ": in the page layer 2 is computed ahead for the ", limit,
                               " most probable cells of each query; nprobe = ", *p.nprobe,
                               " with rerank needs nprobe <= ", limit, " (or rerank unset)"));
  }
  return Status::ok();
}

size_t IvfIndex::memory_bytes() const {
  return router_->memory_bytes() + scanner_->memory_bytes() + lists_.memory_bytes();
}

TrainTask IvfIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (trained_) co_return Status::error(cat(describe(), " is already trained"));
  if (x.n < nlist_)
    co_return Status::error(cat(describe(), ": ", x.n, " training vectors are fewer than nlist = ", nlist_, " cells"));
  const size_t d = dim();
  const bool residuals = scanner_->codes_residuals();
  if (residuals && x.n < ProductQuantizer::kCentroids)
    co_return Status::error(cat(describe(), " needs at least ", ProductQuantizer::kCentroids,
                             " training vectors (256 centroids per sub-space), got ", x.n));
  ANNLAB_CO_RUN(router_->train_task(x, params_.seed));
  train_rows_ = x.n;
  if (residuals) {
    // The scanner learns the residuals x - centroid(x) of (a sample of) the training set.
    const std::vector<float>& cent = router_->centroids();
    const size_t n = std::min<size_t>(x.n, 65536);
    std::vector<float> r(n * d);
    std::vector<int32_t> label(n);
    for (size_t i = 0; i < n; ++i) x.row_to_f32(i, r.data() + i * d);
    // The rows as given (their cells may be known from training); assign() reads them as floats.
    router_->assign(x.rows(0, n), label.data());
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < d; ++j) r[i * d + j] -= cent[size_t(label[i]) * d + j];
    ANNLAB_CO_RUN(scanner_->train_task(r.data(), label.data(), n, nlist_, params_.seed));
  }
  trained_ = true;
  scanner_->prepare(router_->centroids().data(), nlist_);
  co_return Status::ok();
}

Status IvfIndex::add(const VectorView& x) {
  if (!trained_) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(x.check_finite("added"));
  const size_t d = dim(), m = scanner_->code_m();
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("IVF lists", x.n, m ? m + 8 : d * (x.is_u8() ? 1 : 4) + 8));
  ANNLAB_TRY(check_memory(cat("adding ", x.n, " vectors to ", describe()), bytes));
  if (n_ == 0) lists_.dtype = x.is_u8() ? DType::U8 : DType::F32;
  if (scanner_->exact() && lists_.dtype == DType::U8 && !x.is_u8()) {
    // Floats into byte lists: keep them exact by switching every list to floats.
    for (size_t c = 0; c < nlist_; ++c) {
      lists_.floats[c].assign(lists_.bytes[c].begin(), lists_.bytes[c].end());
      std::vector<uint8_t>().swap(lists_.bytes[c]);
    }
    lists_.dtype = DType::F32;
  }
  const std::vector<float>& cent = router_->centroids();
  const bool residuals = scanner_->codes_residuals();
  const size_t block = 4096;
  std::vector<int32_t> label(std::min(block, x.n));
  std::vector<float> row(d);
  for (size_t b0 = 0; b0 < x.n; b0 += block) {
    const size_t nb = std::min(block, x.n - b0);
    const VectorView xb = x.rows(b0, nb);
    router_->assign(xb, label.data());
    for (size_t i = 0; i < nb; ++i) {
      const size_t c = size_t(label[i]);
      lists_.ids[c].push_back(int64_t(n_ + b0 + i));
      xb.row_to_f32(i, row.data());
      if (residuals)
        for (size_t j = 0; j < d; ++j) row[j] -= cent[c * d + j];
      scanner_->add(lists_, c, xb, i, row.data());
    }
  }
  n_ += x.n;
  // Once as many rows as it trained on are in, the router's record of their cells has served.
  if (n_ >= train_rows_) router_->drop_trained_cells();
  router_->lists_changed(lists_.ids, n_);
  return Status::ok();
}

void IvfIndex::search_one(const float* q, size_t k, const SearchParams& p, int64_t* ids, float* dist,
                          QueryStats* st, std::vector<TraceEvent>* events, ListScanner::Query& s,
                          std::vector<CellChoice>& cells) const {
  const size_t d = dim();
  const size_t nprobe = std::min(nlist_, size_t(p.nprobe.value_or(1)));
  cells.resize(nprobe);
  const size_t routed = router_->route(q, nprobe, cells.data());
  st->distances += routed;
  if (events) events->push_back({TraceKind::CellsRanked, uint32_t(routed), -1, 0.0f});
  const bool coarse_known = router_->values_are_distances();
  const Kernels& kern = kernels();
  const std::vector<float>& cent = router_->centroids();
  detail::TopK top(std::min(n_, k));
  scanner_->start(q, d, &s);
  if (router_->ranks_members() && p.rerank && scanner_->scans_positions()) {
    // Layer 2 picks the members compared: the r most probable of each probed cell, or (r = 0) the k
    // most probable over the probed cells.
    const size_t r = size_t(*p.rerank);
    struct Pick {
      float p;
      uint32_t cell, pos;
    };
    std::vector<Pick> picks;
    std::vector<float> prob;
    std::vector<uint32_t> pos;
    for (size_t probe = 0; probe < nprobe; ++probe) {
      const size_t c = size_t(cells[probe].cell);
      ++st->cells;
      if (events) events->push_back({TraceKind::CellProbed, uint32_t(probe), int64_t(c), cells[probe].value});
      const size_t ranked = router_->rank_members(q, c, &prob);
      st->distances += ranked;
      if (events) events->push_back({TraceKind::CellsRanked, uint32_t(ranked), int64_t(c), 0.0f});
      pos.resize(prob.size());
      for (size_t j = 0; j < pos.size(); ++j) pos[j] = uint32_t(j);
      const size_t take = std::min(pos.size(), r ? r : k);
      std::partial_sort(pos.begin(), pos.begin() + long(take), pos.end(), [&](uint32_t a, uint32_t b) {
        return prob[a] > prob[b] || (prob[a] == prob[b] && a < b);
      });
      if (r) {
        std::sort(pos.begin(), pos.begin() + long(take));
        scanner_->scan_positions(s, lists_, c, pos.data(), take, top, st, events);
      } else {
        for (size_t j = 0; j < take; ++j) picks.push_back({-cells[probe].value * prob[pos[j]], uint32_t(c), pos[j]});
      }
    }
    if (!r) {
      const size_t take = std::min(picks.size(), k);
      std::partial_sort(picks.begin(), picks.begin() + long(take), picks.end(), [](const Pick& a, const Pick& b) {
        return a.p > b.p || (a.p == b.p && (a.cell < b.cell || (a.cell == b.cell && a.pos < b.pos)));
      });
      for (size_t j = 0; j < take; ++j) scanner_->scan_positions(s, lists_, picks[j].cell, &picks[j].pos, 1, top, st, events);
    }
    top.write(ids, dist);
    return;
  }
  for (size_t probe = 0; probe < nprobe; ++probe) {
    const size_t c = size_t(cells[probe].cell);
    ++st->cells;
    if (events) events->push_back({TraceKind::CellProbed, uint32_t(probe), int64_t(c), cells[probe].value});
    const float* centroid = cent.data() + c * d;
    const float coarse = coarse_known ? cells[probe].value : kern.l2sq_f32(q, centroid, d);
    scanner_->scan(s, lists_, c, centroid, coarse, top, st, events);
  }
  top.write(ids, dist);
}

void IvfIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                            QueryStats* stats) const {
  std::vector<float> row(dim());
  ListScanner::Query s;
  std::vector<CellChoice> cells;
  for (size_t i = 0; i < q.n; ++i) {
    q.row_to_f32(i, row.data());
    search_one(row.data(), k, p, ids + i * k, distances + i * k, stats + i, nullptr, s, cells);
  }
}

Result<Structure> IvfIndex::explain_structure() const {
  if (!trained_) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  const size_t d = dim();
  s.method = describe();
  s.dim = d;
  s.n = n_;
  CellLayer cells;
  cells.centroids = router_->centroids();
  if (kind_ == IvfLists::LocalPq && nlist_ * d * d <= (size_t{1} << 20)) cells.axes = scanner_->cell_axes();
  cells.assignment.assign(n_, -1);
  for (size_t c = 0; c < nlist_; ++c)
    for (int64_t id : lists_.ids[c]) cells.assignment[size_t(id)] = int32_t(c);
  s.layers.push_back(std::move(cells));
  return s;
}

Result<Trace> IvfIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    std::vector<float> row(dim());
    q.row_to_f32(0, row.data());
    ListScanner::Query s;
    std::vector<CellChoice> cells;
    search_one(row.data(), k, p, t.ids.data(), t.distances.data(), &t.stats, &t.events, s, cells);
    if (router_->ranks_members()) explain_router(row.data(), k, p, &t);
  });
}

// What the learned router made of the query, and IVF's answer on the same cells beside it.
void IvfIndex::explain_router(const float* q, size_t k, const SearchParams& p, Trace* t) const {
  const size_t d = dim(), nprobe = std::min(nlist_, size_t(p.nprobe.value_or(1)));
  std::vector<CellChoice> all(nlist_);
  router_->route(q, nlist_, all.data());
  t->cell_probabilities.assign(nlist_, 0.0f);
  for (const CellChoice& c : all) t->cell_probabilities[size_t(c.cell)] = -c.value;
  if (router_->members_status().is_ok()) {
    std::vector<float> prob;
    for (size_t i = 0; i < std::min(nprobe, router_->ranked_cells_limit()); ++i) {
      const size_t c = size_t(all[i].cell);
      router_->rank_members(q, c, &prob);
      if (prob.empty()) continue;
      const size_t j = size_t(std::max_element(prob.begin(), prob.end()) - prob.begin());
      t->layer2_picks.push_back({int64_t(c), lists_.ids[c][j], prob[j]});
    }
  }
  // IVF: the nprobe cells of the nearest centroids, every member compared.
  const Kernels& kern = kernels();
  const std::vector<float>& cent = router_->centroids();
  std::vector<CellChoice> near(nlist_);
  for (size_t c = 0; c < nlist_; ++c) near[c] = {kern.l2sq_f32(q, cent.data() + c * d, d), int64_t(c)};
  std::partial_sort(near.begin(), near.begin() + long(nprobe), near.end());
  ListScanner::Query s;
  scanner_->start(q, d, &s);
  detail::TopK top(std::min(n_, k));
  QueryStats st;
  st.distances = nlist_;
  for (size_t i = 0; i < nprobe; ++i) {
    const size_t c = size_t(near[i].cell);
    t->ivf_cells.push_back(int64_t(c));
    scanner_->scan(s, lists_, c, cent.data() + c * d, near[i].value, top, &st, nullptr);
  }
  t->ivf_ids.assign(k, -1);
  std::vector<float> dist(k);
  top.write(t->ivf_ids.data(), dist.data());
  t->ivf_distances = st.distances;
}

// The layout of format 1 and 2 files: nlist, M, seed, trained, dtype, n, centroids, the lists,
// the scanner's codebooks, the re-rank's base-vector block (empty for Flat), LOPQ's rotations.
void IvfIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(nlist_);
  w.put<uint64_t>(scanner_->code_m());
  w.put<uint64_t>(params_.seed);
  w.put<uint8_t>(trained_ ? 1 : 0);
  w.put<uint8_t>(uint8_t(lists_.dtype));
  w.put<uint64_t>(n_);
  router_->save(w);
  for (size_t c = 0; c < nlist_; ++c) {
    w.array(lists_.ids[c]);
    w.array(lists_.bytes[c]);
    w.array(lists_.floats[c]);
  }
  scanner_->save(w);
  write_refine_block(w, dim());
  scanner_->save_tail(w);
}

Status IvfIndex::load_payload(BinaryReader& r) {
  uint64_t nlist = 0, m = 0, n = 0;
  uint8_t trained = 0, dtype = 0;
  ANNLAB_TRY(r.get(&nlist, "IVF nlist"));
  ANNLAB_TRY(r.get(&m, "IVF PQ M"));
  if (nlist != nlist_ || m != scanner_->code_m())
    return r.error(cat("IVF payload has nlist = ", nlist, ", M = ", m, "; the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "IVF seed"));
  ANNLAB_TRY(r.get(&trained, "IVF trained flag"));
  ANNLAB_TRY(r.get(&dtype, "IVF dtype"));
  ANNLAB_TRY(r.get(&n, "IVF size"));
  if (trained > 1 || dtype > 1) return r.error("IVF flags out of range");
  trained_ = trained;
  lists_.dtype = DType(dtype);
  ANNLAB_TRY(router_->load(r));
  if (router_->trained() != trained_)
    return r.error(cat("IVF holds ", router_->centroids().size(), " centroid floats, expected ",
                       trained_ ? nlist_ * dim() : 0));
  const uint64_t limit = r.remaining();
  std::vector<uint8_t> seen(n, 0);
  size_t total = 0;
  const size_t d = dim();
  for (size_t c = 0; c < nlist_; ++c) {
    ANNLAB_TRY(r.array(&lists_.ids[c], "IVF list ids", limit));
    ANNLAB_TRY(r.array(&lists_.bytes[c], "IVF list bytes", limit));
    ANNLAB_TRY(r.array(&lists_.floats[c], "IVF list floats", limit));
    const size_t len = lists_.ids[c].size();
    const bool ok = m ? lists_.bytes[c].size() == len * m && lists_.floats[c].empty()
                  : lists_.dtype == DType::U8 ? lists_.bytes[c].size() == len * d && lists_.floats[c].empty()
                                              : lists_.floats[c].size() == len * d && lists_.bytes[c].empty();
    if (!ok) return r.error(cat("IVF list ", c, " sizes do not match its ", len, " ids"));
    for (int64_t id : lists_.ids[c]) {
      if (id < 0 || uint64_t(id) >= n || seen[size_t(id)]++) return r.error(cat("IVF list ", c, " has a bad or repeated id ", id));
    }
    ANNLAB_TRY(VectorView::of(lists_.floats[c].data(), lists_.floats[c].size(), 1).check_finite("IVF list"));
    total += len;
  }
  if (total != n) return r.error(cat("IVF lists hold ", total, " ids, expected ", n));
  n_ = n;
  ANNLAB_TRY(scanner_->load(r));
  if (m && trained_ != scanner_->trained()) return r.error("IVF-PQ: the PQ's training does not match the index's");
  ANNLAB_TRY(read_refine_block(r, dim()));
  ANNLAB_TRY(scanner_->load_tail(r, nlist_));
  if (trained_) scanner_->prepare(router_->centroids().data(), nlist_);
  router_->lists_changed(lists_.ids, n_);
  return Status::ok();
}

}  // namespace annlab
