// The method registry: one row per method (registry.h says what is derived from it).
#include "annlab/registry.h"

#include "index/binary_index.h"
#include "index/e2lsh_index.h"
#include "index/flat_index.h"
#include "index/hnsw_index.h"
#include "index/ivf_index.h"
#include "index/kdtree_index.h"
#include "index/lsh_index.h"
#include "index/pq_index.h"
#include "index/tokens_index.h"
#include "index/transformed_index.h"
#include "parts/learned_router.h"
#include "parts/model_encoder.h"
#include "parts/transforms.h"

namespace annlab {

namespace {

constexpr int64_t kBig = int64_t{1} << 24;
using Args = std::vector<int64_t>;

const ParamUse kSeed{.name = "seed", .def = 1, .ui_lo = 0, .ui_hi = 1e9, .log_scale = false,
                     .help = "Every random draw of the build. The same seed gives the same index on the desktop and "
                             "in the browser."};

ParamUse rerank(std::string_view help, bool main) {
  ParamUse p{.name = "rerank", .def = 0, .ui_lo = 0, .ui_hi = 1000, .log_scale = true, .help = help};
  if (main) {
    const double s[4] = {0, 20, 50, 200};
    std::copy(s, s + 4, p.sweep);
  }
  return p;
}

ParamUse nprobe(int nlist_arg, std::string_view sweep_with = {}) {
  ParamUse p{.name = "nprobe", .def = 4, .ui_lo = 1, .ui_hi = 4096, .log_scale = true,
             .help = "Cells visited per query, nearest centroid first: more cells, more candidates, higher recall, "
                     "slower. nprobe = nlist is exhaustive.",
             .hi_arg = nlist_arg};
  const double s[4] = {1, 2, 4, 8};
  std::copy(s, s + 4, p.sweep);
  p.sweep_with = sweep_with;  // PQ codes: re-ranked, so that the cells' recall shows
  return p;
}

ParamUse with_sweep(ParamUse p, double a, double b, double c, double d) {
  p.sweep[0] = a, p.sweep[1] = b, p.sweep[2] = c, p.sweep[3] = d;
  return p;
}

const ArgInfo kNlist{.name = "nlist", .lo = 1, .hi = kBig, .def = 64, .ui_lo = 1, .ui_hi = 4096, .log_scale = true,
                     .help = "Number of k-means cells: more cells, smaller lists, more centroids to compare."};
const ArgInfo kPqM{.name = "M", .lo = 1, .hi = 1024, .def = 8, .ui_lo = 1, .ui_hi = 64, .log_scale = true,
                   .help = "Sub-vectors, each coded in one byte (256 centroids): more bytes, finer codes, better "
                           "recall, bigger tables. The dimension must be divisible by M.",
                   .divides_dim = true};
const ArgInfo kBits{.name = "bits", .lo = int64_t(BinaryCodeIndex::kMinBits), .hi = int64_t(BinaryCodeIndex::kMaxBits),
                    .def = 64, .ui_lo = 32, .ui_hi = 1024, .log_scale = true,
                    .help = "Code length: more bits rank more finely (better recall) but cost bytes and scan time."};
const char* kCodeRerank = "Re-rank this many of the nearest codes with the exact distance: recall for a little time. "
                          "0: the Hamming order is the answer.";
const char* kPqRerank = "Re-rank this many of the best coded candidates with the exact distance: recall for a little "
                        "time. 0: the distances are estimated from the codes.";

std::vector<MethodInfo> make_rows() {
  std::vector<MethodInfo> rows;
  rows.push_back({
      .name = "Flat", .pattern = "Flat", .args = {}, .build = {}, .search = {},
      .label = "Flat (exact)", .family = "exact", .distance = "squared L2",
      .summary = "exact scan, the ground truth",
      .help = "Exact: the ground truth for every recall figure. For byte data one query reads only the rows that can be among its k nearest (a copy laid out by principal projections); batches compare with every vector.",
      .doc = "docs/methods/foundation.md", .example = "Flat", .implemented = true,
      .make = [](const Args&, size_t d, const BuildParams&) -> std::unique_ptr<Index> {
        return std::make_unique<FlatIndex>(d);
      }});
  rows.push_back({
      .name = "LSH", .pattern = "LSH#x#",
      .args = {{.name = "b", .lo = 1, .hi = LshIndex::kMaxBits, .def = 8, .ui_lo = 1, .ui_hi = 24, .log_scale = false,
                .help = "Bits per bucket key. More bits: smaller buckets, fewer candidates, faster, but a true "
                        "neighbour falls on the other side of some hyperplane more often: lower recall per table.",
                .zero_means = "b from the bucket size"},
               {.name = "L", .lo = 1, .hi = LshIndex::kMaxTables, .def = 4, .ui_lo = 1, .ui_hi = 64,
                .log_scale = false,
                .help = "Tables. More tables: more chances that a true neighbour shares a bucket with the query. "
                        "Higher recall, more candidates to re-rank, more memory (one key per vector per table)."}},
      .build = {kSeed,
                {.name = "bucket_size", .def = 16, .ui_lo = 1, .ui_hi = 1000, .log_scale = true,
                 .help = "Target mean bucket size: b = floor(log2(n / bucket size)), so buckets hold about that "
                         "many vectors.",
                 .when_arg_zero = 0, .when_note = "only to LSH with b left out, e.g. 'LSHx8'"}},
      .search = {with_sweep({.name = "probes", .def = 1, .ui_lo = 1, .ui_hi = 256, .log_scale = true,
                             .help = "Buckets visited per table: the query's own, then those across the hyperplanes "
                                     "nearest the query (multi-probe). Recall from fewer tables (less memory), at the "
                                     "cost of more candidates."},
                            1, 4, 16, 64)},
      .label = "LSH (random hyperplanes)", .family = "hashing", .distance = "squared L2",
      .summary = "random hyperplanes, b-bit bucket keys, L tables, exact re-rank, multi-probe `probes`",
      .help = "L tables; in each, b random hyperplanes give every vector a b-bit bucket key. Candidates are the union "
              "of the query's buckets, re-ranked exactly.",
      .doc = "docs/methods/hashing.md", .example = "LSH8x2", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<LshIndex>(d, int(a[0]), int(a[1]), p);
      }});
  rows.push_back({
      .name = "E2LSH", .pattern = "E2LSH#x#",
      .args = {{.name = "k", .lo = 1, .hi = 64, .def = 4, .ui_lo = 1, .ui_hi = 32, .log_scale = false,
                .help = "Functions per table. More functions: smaller grid cells, fewer candidates, lower recall "
                        "per table."},
               {.name = "L", .lo = 1, .hi = 1024, .def = 4, .ui_lo = 1, .ui_hi = 64, .log_scale = false,
                .help = "Tables. More tables: more chances to share a bucket with a true neighbour; more memory."}},
      .build = {kSeed,
                {.name = "w", .def = 0, .ui_lo = 0, .ui_hi = 1e6, .log_scale = false,
                 .help = "Slab width in the data's units. Wider slabs: bigger buckets, higher recall, more "
                         "candidates. auto (0) picks half the median distance between random training pairs.",
                 .unset_value = 0, .unset_label = "auto"}},
      .search = {with_sweep({.name = "probes", .def = 1, .ui_lo = 1, .ui_hi = 256, .log_scale = true,
                             .help = "Buckets visited per table: the query's own, then the neighbouring cells one slab "
                                     "over where the query lies nearest a slab boundary."},
                            1, 2, 4, 8)},
      .label = "E2LSH (p-stable slabs)", .family = "hashing", .distance = "squared L2",
      .summary = "p-stable LSH for L2, slab width `w`, multi-probe `probes`",
      .help = "p-stable LSH for the L2 distance: k random directions cut space into slabs of width w; a bucket is a "
              "cell of that grid, and L tables give L chances to share one with a true neighbour.",
      .doc = "docs/methods/hashing.md", .example = "E2LSH4x2", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<E2LshIndex>(d, int(a[0]), int(a[1]), p);
      }});
  rows.push_back({
      .name = "KDTree", .pattern = "KDTree#",
      .args = {{.name = "leaf", .lo = 1, .hi = kBig, .def = 16, .ui_lo = 1, .ui_hi = 256, .log_scale = true,
                .help = "Vectors per leaf: bigger leaves, a shallower tree, more distances per leaf."}},
      .build = {},
      .search = {with_sweep({.name = "leaves", .def = 0, .ui_lo = 0, .ui_hi = 1024, .log_scale = true,
                             .help = "Bounds the leaves visited: exact when unbounded (all); fewer leaves, faster, "
                                     "lower recall.",
                             .unset_value = 0, .unset_label = "all"},
                            1, 2, 4, 16)},
      .label = "k-d tree", .family = "partitions", .distance = "squared L2",
      .summary = "k-d tree, exact backtracking, `leaves`",
      .help = "Splits space at the median of the widest dimension, again and again. A query descends to its leaf and "
              "backtracks into every side that could still hold a nearer point.",
      .doc = "docs/methods/partitions.md", .example = "KDTree8", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams&) -> std::unique_ptr<Index> {
        return std::make_unique<KdTreeIndex>(d, size_t(a[0]));
      }});
  rows.push_back({
      .name = "IVFFlat", .pattern = "IVF#,Flat", .args = {kNlist}, .build = {kSeed}, .search = {nprobe(0)},
      .label = "IVF (inverted file)", .family = "partitions", .distance = "squared L2",
      .summary = "inverted file over k-means cells, `nprobe`",
      .help = "k-means cuts space into nlist Voronoi cells; a query scans only the nprobe cells whose centroids are "
              "nearest.",
      .doc = "docs/methods/partitions.md", .example = "IVF32,Flat", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<IvfIndex>(d, size_t(a[0]), IvfLists::Flat, 0, p);
      }});
  rows.push_back({
      .name = "PQ", .pattern = "PQ#", .args = {kPqM}, .build = {kSeed}, .search = {rerank(kPqRerank, true)},
      .label = "PQ (product quantization)", .family = "partitions",
      .distance = "squared L2 estimated from the codes; exact with rerank",
      .summary = "product quantization, ADC tables, `rerank`",
      .help = "Each vector becomes M bytes: one 256-centroid k-means code per sub-vector. Distances come from a "
              "lookup table of the query's sub-vectors against the codebooks.",
      .doc = "docs/methods/partitions.md", .example = "PQ4", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<PqIndex>(d, size_t(a[0]), p);
      }});
  rows.push_back({
      .name = "IVFPQ", .pattern = "IVF#,PQ#", .args = {kNlist, kPqM}, .build = {kSeed},
      .search = {nprobe(0, "rerank=3000"), rerank(kPqRerank, false)},
      .label = "IVF-PQ (residuals)", .family = "partitions",
      .distance = "squared L2 estimated from the codes; exact with rerank",
      .summary = "PQ of residuals in an inverted file",
      .help = "An inverted file whose lists hold PQ codes of the residual (vector minus its cell's centroid).",
      .doc = "docs/methods/partitions.md", .example = "IVF16,PQ4", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<IvfIndex>(d, size_t(a[0]), IvfLists::PqResiduals, size_t(a[1]), p);
      }});
  {
    ArgInfo same_m = kPqM;
    same_m.same_as = 0;
    same_m.same_note = "the OPQ rotation and the PQ must cut the vector into the same number of sub-vectors";
    rows.push_back({
        .name = "OPQ", .pattern = "OPQ#,IVF#,PQ#", .args = {kPqM, kNlist, same_m}, .build = {kSeed},
        .search = {nprobe(1, "rerank=3000"), rerank(kPqRerank, false)},
        .label = "OPQ + IVF-PQ (learned rotation)", .family = "partitions",
        .distance = "squared L2 estimated from the codes; exact with rerank",
        .summary = "IVF-PQ after a rotation learned by alternating Procrustes",
        .help = "IVF-PQ after one learned rotation of the whole space (OPQ): the rotation spreads the variance evenly "
                "over the M sub-vectors, so each byte of code carries its share. Learned by alternating PQ training "
                "and an orthogonal Procrustes fit.",
        .doc = "docs/methods/partitions.md", .example = "OPQ4,IVF16,PQ4", .implemented = true,
        .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
          // OPQ's rotation in front of IVF-PQ (the re-rank wraps both: it compares unrotated vectors).
          return std::make_unique<TransformedIndex>(
              std::make_unique<OpqRotation>(d, size_t(a[0])),
              std::make_unique<IvfIndex>(d, size_t(a[1]), IvfLists::PqResiduals, size_t(a[2]), p), p);
        }});
  }
  rows.push_back({
      .name = "LOPQ", .pattern = "LOPQ#,PQ#", .args = {kNlist, kPqM}, .build = {kSeed},
      .search = {nprobe(0, "rerank=3000"), rerank(kPqRerank, false)},
      .label = "LOPQ (rotation per cell)", .family = "partitions",
      .distance = "squared L2 estimated from the codes; exact with rerank",
      .summary = "IVF-PQ with a PCA rotation per cell, eigenvalue-balanced sub-vectors",
      .help = "IVF-PQ with a rotation per cell (locally optimised PQ): each cell's residuals are turned onto their "
              "own principal axes, and the axes are dealt out so that every sub-vector gets about the same variance.",
      .doc = "docs/methods/partitions.md", .example = "LOPQ16,PQ4", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<IvfIndex>(d, size_t(a[0]), IvfLists::LocalPq, size_t(a[1]), p);
      }});
  rows.push_back({
      .name = "HNSW", .pattern = "HNSW#",
      .args = {{.name = "M", .lo = 2, .hi = 1024, .def = 16, .ui_lo = 2, .ui_hi = 64, .log_scale = false,
                .help = "Links per node (2M on the bottom layer): better recall, more memory, slower build."}},
      .build = {kSeed,
                {.name = "efConstruction", .def = 100, .ui_lo = 8, .ui_hi = 500, .log_scale = true,
                 .help = "Beam width while building: a better graph, a slower build."}},
      .search = {with_sweep({.name = "efSearch", .def = 32, .ui_lo = 1, .ui_hi = 512, .log_scale = true,
                             .help = "Beam width while searching: more nodes visited, higher recall, slower."},
                            10, 15, 25, 200)},
      .label = "HNSW (graph)", .family = "graphs", .distance = "squared L2",
      .summary = "hierarchical navigable small-world graph, `efConstruction`, `efSearch`",
      .help = "A layered proximity graph: greedy descent through sparse upper layers, then a beam search of width "
              "efSearch on the dense bottom layer.",
      .doc = "docs/methods/partitions.md", .example = "HNSW4", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<HnswIndex>(d, size_t(a[0]), p);
      }});
  rows.push_back({
      .name = "Tokens", .pattern = "Tokens#x#",
      .args = {{.name = "g", .lo = 1, .hi = 1024, .def = 2, .ui_lo = 1, .ui_hi = 64, .log_scale = true,
                .help = "Tokens per vector, one per sub-space of d / g dimensions (g must divide d): more sub-spaces, "
                        "finer similarity, longer posting lists to walk.",
                .divides_dim = true},
               {.name = "m", .lo = 2, .hi = int64_t(TokensIndex::kMaxCentroids), .def = 16, .ui_lo = 2, .ui_hi = 4096,
                .log_scale = true,
                .help = "k-means centroids per sub-space: more centroids, rarer tokens, fewer but closer "
                        "candidates."}},
      .build = {kSeed},
      .search = {{.name = "scoring", .def = 1, .ui_lo = 0, .ui_hi = 1, .log_scale = false,
                  .help = "How a shared token counts: Lucene's classic TF-IDF or BM25 (Elasticsearch's default). Both "
                          "give rare tokens more weight; every document has exactly g tokens, so length plays no "
                          "part."},
                 {.name = "max_query_terms", .def = 0, .ui_lo = 0, .ui_hi = 64, .log_scale = false,
                  .help = "Keep only this many of the query's tokens, the rarest first (more-like-this's "
                          "max_query_terms): fewer posting lists to walk, fewer candidates, lower recall.",
                  .unset_value = 0, .unset_label = "all", .hi_arg = 0},
                 {.name = "min_doc_freq", .def = 1, .ui_lo = 1, .ui_hi = 1000, .log_scale = true,
                  .help = "Drop query tokens held by fewer documents (more-like-this's min_doc_freq)."},
                 {.name = "label", .def = -1, .ui_lo = -1, .ui_hi = 1000, .log_scale = false,
                  .help = "Only documents with this label can be returned (a search engine's filter clause). The "
                          "exact answer shown beside it is filtered the same way.",
                  .unset_value = -1, .unset_label = "none", .needs_labels = true},
                 rerank("Re-rank this many of the best-scored documents with the exact distance. 0: the score order "
                        "is the answer, and its value is the score (larger is better).",
                        true)},
      .label = "LSH tokens (BM25 / TF-IDF)", .family = "hashing",
      .distance = "score, larger is better; squared L2 with rerank",
      .summary = "LSH tokens (k-means per sub-space) in an inverted index, scored BM25 / TF-IDF like a "
                 "more-like-this query; `label` filter, `rerank`",
      .help = "LSH tokens: cut the vector into g sub-vectors, k-means with m centroids in each, and index the g "
              "tokens 'sub-space j, centroid c' like words in a search engine. A query's tokens become a "
              "more-like-this query: documents sharing rare tokens score highest (BM25 or TF-IDF).",
      .doc = "docs/methods/hashing.md", .example = "Tokens4x16", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<TokensIndex>(d, size_t(a[0]), size_t(a[1]), p);
      }});
  rows.push_back({
      .name = "SimHash", .pattern = "SimHash#", .args = {kBits}, .build = {kSeed}, .search = {rerank(kCodeRerank, true)},
      .label = "SimHash (binary codes)", .family = "hashing", .distance = "Hamming; squared L2 with rerank",
      .summary = "random-rotation sign codes ranked by Hamming distance (FAISS's \"LSH\"), `rerank`",
      .help = "Each vector becomes a code of random-rotation signs (thresholds at the training medians); the codes "
              "nearest the query's in Hamming distance are the answer. FAISS calls this IndexLSH.",
      .doc = "docs/methods/hashing.md", .example = "SimHash32", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<BinaryCodeIndex>(std::make_unique<SimHashEncoder>(d, size_t(a[0])), p);
      }});
  rows.push_back({
      .name = "ITQ", .pattern = "ITQ#", .args = {kBits}, .build = {kSeed}, .search = {rerank(kCodeRerank, true)},
      .label = "ITQ (learned binary codes)", .family = "hashing", .distance = "Hamming; squared L2 with rerank",
      .summary = "PCA + learned rotation sign codes, Hamming ranking, `rerank`",
      .help = "Iterative quantization: PCA to `bits` dimensions, then a rotation learned so that taking signs loses "
              "as little as possible; codes ranked by Hamming distance. Needs bits <= the dimension.",
      .doc = "docs/methods/hashing.md", .example = "ITQ32", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        return std::make_unique<BinaryCodeIndex>(std::make_unique<ItqEncoder>(d, size_t(a[0])), p);
      }});
  rows.push_back({
      .name = "NPHash", .pattern = "NPHash#",
      .args = {{.name = "bits", .lo = int64_t(BinaryCodeIndex::kMinBits), .hi = int64_t(BinaryCodeIndex::kMaxBits),
                .def = 64, .ui_lo = 64, .ui_hi = 256, .log_scale = true,
                .help = "Code length of the learned hash: the model's output width (models/nphash<bits>.json)."}},
      .build = {{.name = "model", .def = 0, .ui_lo = 0, .ui_hi = 0, .log_scale = false,
                 .help = "The trained model: a manifest written by annlab-train (default models/nphash<bits>.json) "
                         "or any ONNX file with one float input [N, d] and one float output [N, bits]."}},
      .search = {rerank(kCodeRerank, true)},
      .label = "NPhash (learned hash)", .family = "learned", .distance = "Hamming; squared L2 with rerank",
      .summary = "a neural hash trained to keep neighbours' codes close, Hamming ranking, `rerank`",
      .help = "A learned hash (the seed paper's NPhash): an MLP trained by annlab-train so that the softmax of Hamming "
              "similarities over each point's true neighbours matches that of their original similarities; the code "
              "is the sign of its outputs, ranked by Hamming distance.",
      .doc = "docs/methods/learned.md", .example = "NPHash64", .implemented = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        const std::string model = p.model ? *p.model : cat("models/nphash", a[0], ".json");
        return std::make_unique<BinaryCodeIndex>(std::make_unique<ModelEncoder>(d, size_t(a[0]), "NPHash", model), p);
      }});
  rows.push_back({
      .name = "Router", .pattern = "Router#",
      .args = {{.name = "nclusters", .lo = 2, .hi = 65536, .def = 100, .ui_lo = 2, .ui_hi = 1024, .log_scale = true,
                .help = "k-means cells the learned router chooses among: its model (models/router<nclusters>.json) "
                        "was trained for exactly this many."}},
      .build = {{.name = "model", .def = 0, .ui_lo = 0, .ui_hi = 0, .log_scale = false,
                 .help = "The trained router: a manifest written by annlab-train router (default "
                         "models/router<nclusters>.json), naming its cells and its two layers' ONNX files."}},
      .search = {with_sweep({.name = "nprobe", .def = 1, .ui_lo = 1, .ui_hi = 4096, .log_scale = true,
                             .help = "Cells visited per query, layer 1's most probable first: more cells, more "
                                     "candidates, higher recall, slower. As IVF names it.",
                             .hi_arg = 0},
                            1, 2, 4, 8),
                 {.name = "rerank", .def = -1, .ui_lo = -1, .ui_hi = 1000, .log_scale = false,
                  .help = "Compare exactly only layer 2's this many most probable members of each probed cell. "
                          "all (unset): every member, as IVF does; 0: layer 2's picks are the answer.",
                  .unset_value = -1, .unset_label = "all"}},
      .label = "Learned router", .family = "learned", .distance = "squared L2",
      .summary = "the seed paper's two-layer router: layer 1 picks the k-means cells, layer 2 the members; "
                 "`nprobe`, `rerank`",
      .help = "The learned router of the emulating-LSH paper: over IVF's own k-means cells, a model (layer 1) "
              "predicts which cell holds the query's nearest neighbour, and one model per cell (layer 2) which of "
              "its members it is. The same lists as IVF<nclusters>,Flat: only who picks the cells differs.",
      .doc = "docs/methods/learned.md", .example = "Router8", .implemented = true, .reranks_itself = true,
      .make = [](const Args& a, size_t d, const BuildParams& p) -> std::unique_ptr<Index> {
        const std::string model = p.model ? *p.model : cat("models/router", a[0], ".json");
        return std::make_unique<IvfIndex>(make_learned_router(d, size_t(a[0]), model), IvfLists::Flat, 0, p);
      }});
  return rows;
}

const ParamUse* find_use(const std::vector<ParamUse>& v, std::string_view n) {
  for (const ParamUse& p : v)
    if (p.name == n) return &p;
  return nullptr;
}

}  // namespace

std::string MethodInfo::grammar() const {
  std::string out;
  size_t a = 0;
  for (char c : pattern) {
    if (c == '#') out += cat("<", args[a++].name, ">");
    else out += c;
  }
  return out;
}

const ParamUse* MethodInfo::search_param(std::string_view n) const { return find_use(search, n); }
const ParamUse* MethodInfo::build_param(std::string_view n) const { return find_use(build, n); }

const ParamUse* MethodInfo::main_search() const {
  for (const ParamUse& p : search)
    if (p.sweep[0] != p.sweep[3]) return &p;
  return nullptr;
}

std::span<const MethodInfo> method_registry() {
  static const std::vector<MethodInfo> rows = make_rows();
  return rows;
}

const MethodInfo* find_method(std::string_view name) {
  for (const MethodInfo& m : method_registry())
    if (m.name == name) return &m;
  return nullptr;
}

std::string grammar_text(bool implemented_only) {
  std::string out;
  for (const MethodInfo& m : method_registry())
    if (m.implemented || !implemented_only) out += cat(out.empty() ? "" : ", ", m.grammar());
  return out;
}

std::string methods_markdown() {
  std::string out = "| factory string | method | distances returned | docs |\n|---|---|---|---|\n";
  for (const MethodInfo& m : method_registry()) {
    if (!m.implemented) continue;
    std::string forms = cat("`", m.grammar(), "`");
    for (size_t i = 0; i < m.args.size(); ++i)
      if (!m.args[i].zero_means.empty()) {
        std::string left_out = m.grammar();
        const std::string tag = cat("<", m.args[i].name, ">");
        left_out.erase(left_out.find(tag), tag.size());
        forms += cat(", `", left_out, "`");
      }
    std::string page(m.doc);
    const size_t slash = page.find_last_of('/'), dot = page.find_last_of('.');
    const std::string doc_name = page.substr(slash + 1, dot - slash - 1);
    out += cat("| ", forms, " | ", m.summary, " | ", m.distance, " | [", doc_name, "](", page, ") |\n");
  }
  std::string later;
  for (const MethodInfo& m : method_registry())
    if (!m.implemented) later += cat(later.empty() ? "" : " and ", "`", m.grammar(), "`");
  if (!later.empty()) out += cat("\nThe factory also parses ", later, " and says plainly that they are not built yet.\n");
  return out;
}

std::string params_markdown() {
  std::string out = "| parameter | kind | range | methods | what it does |\n|---|---|---|---|---|\n";
  for (const ParamInfo& p : param_table()) {
    std::string range;
    switch (p.type) {
      case ParamType::Int: range = cat(p.lo, "..", p.hi); break;
      case ParamType::Float: range = "> 0"; break;
      case ParamType::Choice: range = std::string(p.choices); break;
      case ParamType::Seed: range = "0..2^64-1"; break;
      case ParamType::Text: range = "a file"; break;
    }
    for (char& c : range) if (c == ',') c = '|';
    std::string users;
    for (const MethodInfo& m : method_registry()) {
      if (!m.implemented) continue;
      const bool uses = p.stage == ParamStage::Build ? m.build_param(p.name) : m.search_param(p.name);
      if (uses) users += cat(users.empty() ? "" : ", ", m.name);
    }
    if (p.type == ParamType::Seed) users = "all (ignored by those that draw nothing)";
    out += cat("| `", p.name, "` | ", p.stage == ParamStage::Build ? "build" : "search", " | ", range, " | ", users,
               " | ", p.help, " |\n");
  }
  return out;
}

}  // namespace annlab
