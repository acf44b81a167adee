// Private header (core/src/index): "KDTree<leaf>": a k-d tree.
//
// Built by splitting at the median of the widest dimension until a node holds at most `leaf`
// vectors. A query descends to its leaf, then backtracks into the other side of every split that
// is closer than the current k-th distance: exact. Search parameter `leaves` bounds the leaves
// visited (nearest side first), which makes it approximate and fast.
//   leaf: bigger leaves, fewer nodes, more distances per leaf.  leaves: more, higher recall.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/index.h"
#include "annlab/vector_store.h"

namespace annlab {

class KdTreeIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  KdTreeIndex(size_t d, size_t leaf) : Index(d), leaf_(leaf), base_(d) {}
  size_t size() const override { return base_.size(); }
  std::string describe() const override { return cat("KDTree", leaf_); }
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override { return base_.owned_bytes() + nodes_.size() * sizeof(Node) + perm_.size() * 4; }
  bool rebuilds_on_add() const override { return true; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  struct Node {
    int32_t dim = -1;              // split dimension, -1 for a leaf
    float value = 0;               // split value: left holds x[dim] < value (ties by position)
    int32_t left = -1, right = -1; // children, or for a leaf: [left, right) range of perm_
  };
  void build();
  int32_t build_node(uint32_t begin, uint32_t end, std::vector<float>& scratch);
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, size_t max_leaves, int64_t* ids, float* dist,
                  QueryStats* st, Tracer& tr) const;
  size_t leaf_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> perm_;  // vector ids in leaf order
  BaseVectors base_;
};

}  // namespace annlab
