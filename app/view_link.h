// app/view_link.h — the lab's view as a link: the data set, the built index (its description and
// the values of its build and search controls), k, the query and the map's framing, written as a
// page address's query ("v=1&data=blobs&index=LSH8x4&seed=3&probes=2&k=10&q=h5&map=...").
// Opening a link rebuilds the index with those values and restores the query and the view, so the
// same answer ids come back. `v` is the format version; a link of another version is refused with
// a message, as is every unknown key or value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "annlab/status.h"
#include "data_source.h"

namespace annlab::app {

struct ViewLink {
  static constexpr int kVersion = 1;
  DataKind data = DataKind::FashionMnist;  // never User: a person's file cannot travel in a link
  int blob_n = 2000, blob_centers = 8;     // 2-D blobs: how they are generated
  uint64_t blob_seed = 7;
  // The image set's space ("cnn64", "pca64"); empty: raw pixels (also a link written before spaces).
  std::string space;
  std::string index;  // factory description ("LSH8x4"); empty: no index
  // The values of the index's build and search controls, by parameter name ("seed", "probes"),
  // as apply_param reads them; a control left out is at its "not set" value.
  std::vector<std::pair<std::string, std::string>> params;
  int k = 10;
  enum class Query { None, HeldOut, Base, Point } query = Query::None;
  int64_t query_id = -1;   // HeldOut: the held-out query; Base: the base point
  float point[2] = {0, 0}; // Point: clicked on a 2-D map
  bool layout = false;     // the map is the neighbour-preserving layout ("layout=umap"), not PCA
  bool has_map = false;    // the map's framing: centre and zoom (1 = fitted to the data)
  float cx = 0, cy = 0, zoom = 1;
  bool structure = true, by_cell = true;
  int table = 0;           // LSH table / HNSW layer drawn
};

// The link's query part, keys in a fixed order (the same view gives the same text).
std::string encode_view_link(const ViewLink& v);
// Reads a link's query part (with or without the leading '?'); the error names the key and says
// what was expected.
Result<ViewLink> parse_view_link(std::string_view query);

}  // namespace annlab::app
