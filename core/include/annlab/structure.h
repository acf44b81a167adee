// annlab/structure.h — what an index shows of itself, as a list of typed layers.
//
// explain_structure() (index.h) returns the layers a method has, in the data's own coordinates;
// the lab draws each kind of layer the same way whichever method made it (the hyperplanes of LSH,
// SimHash and ITQ; the cells of IVF, IVF-PQ, OPQ and LOPQ) and colours points by what a layer
// assigns them (a cell, a bucket, a leaf, a graph level). Per-query views (the query's bucket keys,
// code, lookup table, tokens) are in the Trace, not here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace annlab {

// A hyperplane {x : normal . x = offset}; points with normal . x >= offset have the bit set.
struct Hyperplane {
  uint32_t table = 0;
  uint32_t bit = 0;
  std::vector<float> normal;  // dim
  float offset = 0.0f;
};

struct Bucket {
  uint32_t table = 0;
  uint64_t key = 0;
  uint32_t size = 0;
};

// Sign bits: LSH's bits (hyperplane.table = its table), SimHash's and ITQ's (table 0).
struct HyperplaneLayer {
  std::vector<Hyperplane> planes;
};

// E2LSH's quantised projections: function `bit` of table `table` is h(x) = floor((a . x + b) / w),
// so its slab boundaries are {x : normal . x = offset + m * width} with normal = a, offset = -b.
struct SlabLayer {
  std::vector<Hyperplane> functions;
  float width = 0;
};

// Hash tables: every point's bucket key in every table, and every non-empty bucket.
struct BucketLayer {
  std::vector<std::vector<uint64_t>> keys;  // [table][point]
  std::vector<Bucket> buckets;
};

// Cells with centroids (k-means): the inverted file's, drawn in the data's space.
struct CellLayer {
  std::vector<float> centroids;     // cells * dim
  std::vector<int32_t> assignment;  // the cell of every point
  std::vector<float> axes;          // LOPQ: per cell, dim axes of dim floats scaled by the standard
                                    // deviation along each; empty otherwise (or when too large)
  size_t cells(size_t dim) const { return dim ? centroids.size() / dim : 0; }
};

// A k-d tree: node i splits on coordinate `dim` at `value` (dim < 0: a leaf holding points
// [left, right) of the tree's order).
struct KdTreeLayer {
  struct Split { int32_t node, dim, left, right; float value; };
  std::vector<Split> nodes;
  std::vector<int32_t> leaf;  // the leaf node of every point
};

// A layered graph (HNSW): every edge with its level, and every node's top level.
struct GraphLayer {
  struct Edge { uint32_t level; int64_t from, to; };
  std::vector<Edge> edges;
  std::vector<int32_t> top_level;  // per point
  int levels() const;
};

// Product-quantizer codebooks and every point's code: M sub-spaces of ksub centroids of dsub each.
struct CodebookLayer {
  size_t m = 0, ksub = 0, dsub = 0;
  std::vector<float> centroids;  // m * ksub * dsub
  std::vector<uint8_t> codes;    // n * m
};

// Tokens: g sub-spaces of m centroids; every point's g tokens (centroid numbers).
struct TokenLayer {
  size_t g = 0, m = 0, dsub = 0;
  std::vector<float> centroids;  // g * m * dsub
  std::vector<uint16_t> tokens;  // n * g
};

// Binary codes of `bits` bits, words 64-bit words per point.
struct BinaryCodeLayer {
  size_t bits = 0, words = 0;
  std::vector<uint64_t> codes;  // n * words
};

using Layer = std::variant<HyperplaneLayer, SlabLayer, BucketLayer, CellLayer, KdTreeLayer, GraphLayer, CodebookLayer,
                           TokenLayer, BinaryCodeLayer>;

// "hyperplanes", "slabs", "buckets", "cells", "kd-tree", "graph", "codebooks", "tokens", "codes".
std::string_view layer_kind_name(const Layer& layer);

struct Structure {
  std::string method;  // the index's describe()
  size_t dim = 0;
  size_t n = 0;        // indexed vectors
  std::vector<Layer> layers;

  // The first layer of kind L, or nullptr.
  template <class L>
  const L* find() const {
    for (const Layer& l : layers)
      if (const L* p = std::get_if<L>(&l)) return p;
    return nullptr;
  }
  template <class L>
  L* find() {
    return const_cast<L*>(static_cast<const Structure*>(this)->find<L>());
  }
  std::vector<std::string_view> kinds() const;
};

}  // namespace annlab
