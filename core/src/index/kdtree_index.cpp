#include "index/kdtree_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "annlab/binary_io.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab {

Status KdTreeIndex::add(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  if (base_.size() + x.n > INT32_MAX) return Status::error("a k-d tree holds at most 2^31 - 1 vectors");
  ANNLAB_TRY(base_.add(x));
  build();  // the tree is rebuilt over everything (a balanced tree needs all the points)
  return Status::ok();
}

void KdTreeIndex::build() {
  nodes_.clear();
  perm_.resize(base_.size());
  std::iota(perm_.begin(), perm_.end(), 0u);
  std::vector<float> scratch;
  if (!perm_.empty()) build_node(0, uint32_t(perm_.size()), scratch);
}

int32_t KdTreeIndex::build_node(uint32_t begin, uint32_t end, std::vector<float>& scratch) {
  const int32_t self = int32_t(nodes_.size());
  nodes_.push_back({});
  const VectorView v = base_.store().view().rows(0, base_.size());
  if (end - begin <= leaf_) {
    nodes_[self] = {-1, 0, int32_t(begin), int32_t(end)};
    return self;
  }
  // The widest dimension (largest max - min).
  const size_t d = dim();
  int32_t best = 0;
  float spread = -1;
  for (size_t j = 0; j < d; ++j) {
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (uint32_t p = begin; p < end; ++p) {
      const float a = v.at(perm_[p], j);
      lo = std::min(lo, a);
      hi = std::max(hi, a);
    }
    if (hi - lo > spread) {
      spread = hi - lo;
      best = int32_t(j);
    }
  }
  const uint32_t mid = begin + (end - begin) / 2;
  std::nth_element(perm_.begin() + begin, perm_.begin() + mid, perm_.begin() + end, [&](uint32_t a, uint32_t b) {
    const float x = v.at(a, size_t(best)), y = v.at(b, size_t(best));
    return x < y || (x == y && a < b);
  });
  const float value = v.at(perm_[mid], size_t(best));
  const int32_t l = build_node(begin, mid, scratch);
  const int32_t r = build_node(mid, end, scratch);
  nodes_[self] = {best, value, l, r};
  return self;
}

template <class Tracer>
void KdTreeIndex::search_one(const VectorView& q, size_t i, size_t k, size_t max_leaves, int64_t* ids, float* dist,
                             QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  const VectorStore& store = base_.store();
  store.prepare(q, i, &pq);
  std::vector<float> scratch(dim());
  const Kernels& kern = kernels();
  detail::TopK top(k);
  size_t leaves = 0;
  // Depth-first, nearer side first; a far side is entered only while its split plane is nearer
  // than the current k-th distance (and, with `leaves`, while the leaf budget lasts).
  struct Item { int32_t node; float plane2; };
  std::vector<Item> stack{{0, 0.0f}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    if (it.plane2 > top.bound() || leaves >= max_leaves) continue;
    const Node& nd = nodes_[size_t(it.node)];
    ++st->nodes;
    if constexpr (Tracer::kOn) tr.event(TraceKind::NodeVisited, 0, it.node, it.plane2);
    if (nd.dim < 0) {
      ++leaves;
      for (int32_t p = nd.left; p < nd.right; ++p) {
        const uint32_t id = perm_[size_t(p)];
        const double dd = store.distance(pq, id, kern, scratch.data());
        ++st->distances;
        ++st->candidates;
        if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, 0, id, float(dd));
        const bool entered = top.push(dd, id);
        if constexpr (Tracer::kOn) {
          if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, id)), id, float(dd));
        }
      }
      continue;
    }
    const float diff = pq.f[size_t(nd.dim)] - nd.value;
    const int32_t near = diff < 0 ? nd.left : nd.right, far = diff < 0 ? nd.right : nd.left;
    stack.push_back({far, std::max(it.plane2, diff * diff)});
    stack.push_back({near, it.plane2});
  }
  top.write(ids, dist);
}

void KdTreeIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                               QueryStats* stats) const {
  detail::NullTracer tr;
  const size_t max_leaves = p.leaves ? size_t(*p.leaves) : SIZE_MAX;
  for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, max_leaves, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> KdTreeIndex::explain_structure() const {
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  KdTreeLayer kd;
  for (size_t i = 0; i < nodes_.size(); ++i)
    kd.nodes.push_back({int32_t(i), nodes_[i].dim, nodes_[i].left, nodes_[i].right, nodes_[i].value});
  kd.leaf.assign(size(), -1);
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].dim < 0)
      for (int32_t p = nodes_[i].left; p < nodes_[i].right; ++p) kd.leaf[perm_[size_t(p)]] = int32_t(i);
  s.layers.push_back(std::move(kd));
  return s;
}

Result<Trace> KdTreeIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    search_one(q, 0, k, p.leaves ? size_t(*p.leaves) : SIZE_MAX, t.ids.data(), t.distances.data(), &t.stats, tr);
  });
}

void KdTreeIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(leaf_);
  base_.save(w);  // the tree is rebuilt on load: it is a function of the vectors
}

Status KdTreeIndex::load_payload(BinaryReader& r) {
  uint64_t leaf = 0;
  ANNLAB_TRY(r.get(&leaf, "k-d tree leaf size"));
  if (leaf != leaf_) return r.error(cat("k-d tree payload has leaf = ", leaf, ", the description says ", describe()));
  ANNLAB_TRY(base_.load(r));
  build();
  return Status::ok();
}

}  // namespace annlab
