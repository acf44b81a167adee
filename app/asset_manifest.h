// app/asset_manifest.h — the bundled data sets as assets/data/manifest.json describes them
// (written by `annlab prepare-assets`; the page's loader and scripts/bundle-web read the same file).
#pragma once

#include <string>
#include <vector>

#include "annlab/status.h"

namespace annlab::app {

// A space an image set can be searched in besides its raw pixels (manifest "spaces"): its base and
// query vectors (.alds with labels), the PCA basis that puts a drawing in it (PCA-N: mean then N
// axes), or the model that does (a learned embedding: its manifest, in the models folder).
struct AssetSpace {
  std::string id;     // "cnn64"
  std::string label;  // "CNN-64"
  std::string base, query, basis, model;
  std::string layout_base, layout_query;  // its neighbour-preserving map (annlab layout), or empty
  std::vector<std::string> files;
};

struct AssetDataset {
  std::string id;     // "fashion-mnist"
  std::string label;  // "Fashion-MNIST"
  // Either a base / query split with their map coordinates, or one file split by the lab ("all").
  std::string base, query, base_xy, query_xy, all, all_xy, basis;
  // The neighbour-preserving map (annlab/layout.h) of the raw vectors, shipped so the lab does not
  // recompute it: of base and queries, or of the "all" file in its rows' order. Empty: none.
  std::string layout_base, layout_query, all_layout;
  std::vector<std::string> files;    // every file it needs
  std::vector<std::string> classes;  // the name of each label
  std::vector<AssetSpace> spaces;    // the other spaces it comes in
  std::string default_space;         // the space the lab opens it in ("": raw)
  const AssetSpace* find_space(const std::string& id) const;
};

struct AssetManifest {
  std::string version;
  std::vector<AssetDataset> datasets;
  const AssetDataset* find(const std::string& id) const;
};

// Parses manifest.json's text; `name` is for messages ("assets/data/manifest.json: offset 12: ...").
Result<AssetManifest> parse_asset_manifest(const std::string& name, const std::string& text);

}  // namespace annlab::app
