// Private header (core/src/index): "HNSW<M>": the hierarchical navigable small-world graph (Malkov & Yashunin),
// the state-of-the-art reference.
//
// Every vector is a node on layers 0..l (l drawn with P(l) ~ exp(-l ln M), seeded). Insertion finds
// each layer's nearest nodes by a best-first search of width efConstruction and links the node to
// M of them chosen by the neighbour-diversity heuristic (2M on layer 0). A query descends greedily
// through the upper layers, then searches layer 0 with a beam of efSearch.
//   M: more links, better recall, more memory and build time.  efConstruction (build): a better
//   graph, slower build.  efSearch (search): more nodes visited, higher recall, slower.
// Layer 0 is one contiguous array of fixed-size neighbour lists, beside the vectors.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/index.h"
#include "annlab/params.h"
#include "annlab/vector_store.h"

namespace annlab {

class HnswIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  static constexpr int64_t kDefaultEfConstruction = 200;
  static constexpr int64_t kDefaultEfSearch = 16;
  HnswIndex(size_t d, size_t m, const BuildParams& params);
  size_t size() const override { return base_.size(); }
  std::string describe() const override { return cat("HNSW", m_); }
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override;
  int max_level() const { return max_level_; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  using Cand = std::pair<double, uint32_t>;  // (distance, node)
  struct Scratch {
    std::vector<uint32_t> visited;
    uint32_t epoch = 0;
    std::vector<float> row;
    std::vector<uint32_t> fresh;  // a node's unvisited neighbours
    uint32_t sink = 0;  // what VectorStore::fetch read (kept so that the reads are not dropped)
    void reset(size_t n) {
      if (visited.size() < n) visited.resize(n, 0);
      if (++epoch == 0) {
        std::fill(visited.begin(), visited.end(), 0);
        epoch = 1;
      }
    }
  };
  const uint32_t* links(uint32_t node, int level) const;
  uint32_t* links(uint32_t node, int level);
  size_t cap(int level) const { return level == 0 ? 2 * m_ : m_; }
  template <class Dist, class Tracer>
  std::vector<Cand> search_layer(const Dist& dist, const std::vector<Cand>& entry, size_t ef, int level, Scratch& s,
                                 QueryStats* st, Tracer& tr,
                                 size_t trace_k = 0) const;
  template <class Dist>
  std::vector<Cand> select(const std::vector<Cand>& sorted, size_t m, const Dist& between) const;
  void insert(uint32_t id, Scratch& s);
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, size_t ef, Scratch& s, int64_t* ids, float* dist,
                  QueryStats* st, Tracer& tr) const;

  size_t m_;
  BuildParams params_;
  size_t ef_construction_;
  uint64_t draws_ = 0;                        // level draws so far (seeded sequence)
  int max_level_ = -1;
  uint32_t entry_ = 0;
  std::vector<uint8_t> level_;                // per node
  std::vector<uint32_t> links0_;              // per node: count, then 2M ids
  std::vector<std::vector<uint32_t>> upper_;  // per node: for levels 1..l: count, then M ids
  BaseVectors base_;
};

}  // namespace annlab
