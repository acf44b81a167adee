#include <algorithm>

#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

namespace {

// A slider that re-runs the search when a search parameter changes.
bool search_slider(AppState& s, const char* label, int* v, int lo, int hi, const char* help, bool log = false) {
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  const bool changed = ImGui::SliderInt(label, v, lo, hi, "%d", log ? ImGuiSliderFlags_Logarithmic : 0);
  help_marker(help);
  if (changed && s.query.set) s.run_search();
  return changed;
}

void build_slider(const char* label, int* v, int lo, int hi, const char* help, bool log = false) {
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::SliderInt(label, v, lo, hi, "%d", log ? ImGuiSliderFlags_Logarithmic : 0);
  help_marker(help);
}

const char* kIdea[kMethods] = {
    "Compares the query with every vector: exact, and the slowest. The ground truth for every recall figure.",
    "L tables; in each, b random hyperplanes give every vector a b-bit bucket key. Candidates are the union of "
    "the query's buckets, re-ranked exactly.",
    "Splits space at the median of the widest dimension, again and again. A query descends to its leaf and "
    "backtracks into every side that could still hold a nearer point.",
    "k-means cuts space into nlist Voronoi cells; a query scans only the nprobe cells whose centroids are nearest.",
    "Each vector becomes M bytes: one 256-centroid k-means code per sub-vector. Distances come from a lookup table "
    "of the query's sub-vectors against the codebooks.",
    "An inverted file whose lists hold PQ codes of the residual (vector minus its cell's centroid).",
    "A layered proximity graph: greedy descent through sparse upper layers, then a beam search of width efSearch "
    "on the dense bottom layer.",
    "IVF-PQ after one learned rotation of the whole space (OPQ): the rotation spreads the variance evenly over "
    "the M sub-vectors, so each byte of code carries its share. Learned by alternating PQ training and an "
    "orthogonal Procrustes fit.",
    "IVF-PQ with a rotation per cell (locally optimised PQ): each cell's residuals are turned onto their own "
    "principal axes, and the axes are dealt out so that every sub-vector gets about the same variance.",
    "p-stable LSH for the L2 distance: k random directions cut space into slabs of width w; a bucket is a cell "
    "of that grid, and L tables give L chances to share one with a true neighbour.",
    "Each vector becomes a code of random-rotation signs (thresholds at the training medians); the codes "
    "nearest the query's in Hamming distance are the answer. FAISS calls this IndexLSH.",
    "Iterative quantization: PCA to `bits` dimensions, then a rotation learned so that taking signs loses as "
    "little as possible; codes ranked by Hamming distance. Needs bits <= the dimension.",
    "The seed blog post's LSH tokens: cut the vector into g sub-vectors, k-means with m centroids in each, and "
    "index the g tokens 'sub-space j, centroid c' like words in a search engine. A query's tokens become a "
    "more-like-this query: documents sharing rare tokens score highest (BM25 or TF-IDF)."};

}  // namespace

void draw_index_panel(AppState& s) {
  int m = int(s.config.method);
  const char* methods[kMethods];
  for (int i = 0; i < kMethods; ++i) methods[i] = method_name(Method(i));
  ImGui::SetNextItemWidth(-1);
  ImGui::Combo("##method", &m, methods, kMethods);
  s.config.method = Method(m);
  IndexConfig& c = s.config;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", kIdea[m]);
  ImGui::PopTextWrapPos();
  switch (c.method) {
    case Method::Flat: break;
    case Method::LSH:
      build_slider("tables L", &c.tables, 1, 64,
                   "More tables: more chances that a true neighbour shares a bucket with the query. Higher recall, "
                   "more candidates to re-rank, more memory (one key per vector per table).");
      ImGui::Checkbox("b from bucket size", &c.auto_bits);
      help_marker("The seed notebook's rule: b = floor(log2(n / bucket size)), so buckets hold about that many vectors.");
      if (c.auto_bits) build_slider("bucket size", &c.bucket_size, 1, 1000, "Target mean bucket size.", true);
      else
        build_slider("bits b", &c.bits, 1, 24,
                     "More bits: smaller buckets, fewer candidates, faster, but a true neighbour falls on the other "
                     "side of some hyperplane more often: lower recall per table.");
      search_slider(s, "probes", &c.probes, 1, 256,
                    "Buckets visited per table: the query's own, then those across the hyperplanes nearest the "
                    "query (multi-probe). Recall from fewer tables (less memory), at the cost of more candidates.", true);
      break;
    case Method::E2LSH:
      build_slider("tables L", &c.tables, 1, 64, "More tables: more chances to share a bucket with a true neighbour; more memory.");
      build_slider("k (functions per table)", &c.e2_k, 1, 32,
                   "More functions: smaller grid cells, fewer candidates, lower recall per table.");
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
      ImGui::InputFloat("w (0: auto)", &c.w, 0, 0, "%.3g");
      help_marker("Slab width in the data's units. Wider slabs: bigger buckets, higher recall, more candidates. "
                  "0 picks half the median distance between random training pairs.");
      search_slider(s, "probes", &c.probes, 1, 256,
                    "Buckets visited per table: the query's own, then the neighbouring cells one slab over where the "
                    "query lies nearest a slab boundary.", true);
      break;
    case Method::SimHash:
    case Method::ITQ:
      build_slider("bits", &c.code_bits, 32, 1024,
                   "Code length: more bits rank more finely (better recall) but cost bytes and scan time. ITQ needs "
                   "bits <= the dimension.", true);
      search_slider(s, "rerank", &c.rerank, 0, 1000,
                    "Re-rank this many of the nearest codes with the exact distance: recall for a little time.", true);
      break;
    case Method::Tokens: {
      build_slider("g (sub-spaces)", &c.tok_g, 1, 64,
                   "Tokens per vector, one per sub-space of d / g dimensions (g must divide d): more sub-spaces, "
                   "finer similarity, longer posting lists to walk.", true);
      build_slider("m (centroids each)", &c.tok_m, 2, 4096,
                   "k-means centroids per sub-space: more centroids, rarer tokens, fewer but closer candidates.", true);
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
      if (ImGui::Combo("scoring", &c.scoring, "bm25\0tfidf\0") && s.query.set) s.run_search();
      help_marker("How a shared token counts: BM25 (Elasticsearch's default) or Lucene's classic TF-IDF. Both give "
                  "rare tokens more weight; every document has exactly g tokens, so length plays no part.");
      search_slider(s, "max query terms (0: all)", &c.max_terms, 0, std::max(1, c.tok_g),
                    "Keep only this many of the query's tokens, the rarest first (more-like-this's max_query_terms): "
                    "fewer posting lists to walk, fewer candidates, lower recall.");
      search_slider(s, "min doc freq", &c.min_df, 1, 1000,
                    "Drop query tokens held by fewer documents (more-like-this's min_doc_freq).", true);
      if (s.data && s.data->base.has_labels()) {
        const int top = *std::max_element(s.data->base.labels.begin(), s.data->base.labels.end());
        search_slider(s, "label filter (-1: none)", &c.label_filter, -1, top,
                      "Only documents with this label can be returned (a search engine's filter clause). The exact "
                      "answer shown beside it is filtered the same way.");
      }
      search_slider(s, "rerank", &c.rerank, 0, 1000,
                    "Re-rank this many of the best-scored documents with the exact distance. 0: the score order is "
                    "the answer, and its 'distance' is minus the score.", true);
      break;
    }
    case Method::KDTree:
      build_slider("leaf size", &c.leaf, 1, 256, "Vectors per leaf: bigger leaves, a shallower tree, more distances per leaf.", true);
      search_slider(s, "leaves (0: all)", &c.leaves, 0, 1024,
                    "Bounds the leaves visited: exact when unbounded (0); fewer leaves, faster, lower recall.", true);
      break;
    case Method::IVFFlat:
    case Method::IVFPQ:
    case Method::OPQ:
    case Method::LOPQ:
      build_slider("nlist", &c.nlist, 1, 4096, "Number of k-means cells: more cells, smaller lists, more centroids to compare.", true);
      search_slider(s, "nprobe", &c.nprobe, 1, std::max(1, c.nlist),
                    "Cells visited per query, nearest first: more cells, more candidates, higher recall, slower. "
                    "nprobe = nlist is exhaustive.", true);
      if (c.method == Method::IVFFlat) break;
      [[fallthrough]];
    case Method::PQ:
      build_slider("M (bytes per vector)", &c.pq_m, 1, 64,
                   "Sub-vectors, each coded in one byte (256 centroids): more bytes, finer codes, better recall, "
                   "bigger tables. The dimension must be divisible by M.", true);
      search_slider(s, "rerank", &c.rerank, 0, 1000,
                    "Re-rank this many of the best coded candidates with the exact distance: recall for a little time.", true);
      break;
    case Method::HNSW:
      build_slider("M (links)", &c.hnsw_m, 2, 64, "Links per node (2M on the bottom layer): better recall, more memory, slower build.");
      build_slider("efConstruction", &c.ef_construction, 8, 500, "Beam width while building: a better graph, a slower build.", true);
      search_slider(s, "efSearch", &c.ef_search, 1, 512, "Beam width while searching: more nodes visited, higher recall, slower.", true);
      break;
  }
  if (c.method != Method::Flat && c.method != Method::KDTree) {
    int seed = int(c.seed);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    if (ImGui::InputInt("seed", &seed)) c.seed = uint64_t(std::max(0, seed));
    help_marker("Every random draw of the build. The same seed gives the same index on the desktop and in the browser.");
  }
  ImGui::TextDisabled("%s %s", c.spec().c_str(), c.params().c_str());
  const bool running = s.job.running();
  ImGui::BeginDisabled(running || !s.data);
  if (ImGui::Button("Build", ImVec2(120, 0))) s.start_build();
  ImGui::EndDisabled();
  if (running) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) s.job.cancel();
    ImGui::ProgressBar(float(s.job.progress()), ImVec2(-1, 0), s.job.stage().c_str());
  }
  ImGui::Separator();
  if (s.index) ImGui::TextWrapped("%s", s.index_info.c_str());
  else ImGui::TextDisabled("No index yet: press Build.");
  if (!s.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
    ImGui::TextWrapped("%s", s.error.c_str());
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("dismiss")) s.error.clear();
  }
}

}  // namespace annlab::app
