// app/data_source.h — the lab's data source: the built-in sets (2-D blobs, the bundled image sets
// listed by assets/data/manifest.json), a person's own vectors, and the 2-D map of each. It knows
// nothing of indexes or queries: the lab (app_state.h) starts over on each new data set.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/pca.h"
#include "annlab/status.h"
#include "annlab/vector_store.h"
#include "asset_manifest.h"

namespace annlab::app {

enum class DataKind { Blobs2D = 0, FashionMnist = 1, Mnist = 2, User = 3 };
const char* data_kind_name(DataKind k);

// A data set as the lab uses it: base vectors, held-out queries, and 2-D map coordinates.
struct LabData {
  DataKind kind = DataKind::Blobs2D;
  std::string name;
  // Base labels and image shape (its vectors live in `exact`, once), and the held-out queries.
  Dataset base, queries;
  std::unique_ptr<Index> exact;       // Flat over the base: the ground truth and the vector store
  VectorView base_view() const;
  // The base vectors as a shared handle: every index that computes exact distances reads these
  // instead of its own copy (Refinable), and an index file may refer to them.
  std::shared_ptr<const VectorStore> base_store() const;
  std::vector<float> base_xy, query_xy;  // n * 2 map coordinates: the map shown (below)
  // The two maps of data of more than two dimensions: the 2-D PCA projection, and the layout that
  // keeps neighbours together (annlab/layout.h: shipped with the bundled sets, computed in steps for
  // a person's own file; empty until then). base_xy / query_xy are a copy of the one shown.
  enum class MapKind { Pca = 0, Layout = 1 };
  MapKind map_kind = MapKind::Pca;
  std::vector<float> pca_base_xy, pca_query_xy, layout_base_xy, layout_query_xy;
  bool has_layout() const { return !layout_base_xy.empty(); }
  // Shows `k` (false when it is the layout and there is none).
  bool show_map(MapKind k);
  std::vector<float> pca_mean, pca_axes;  // image data: d and 2 * d, to place any query on the map
  // Images: their shape. In raw pixels the base vectors are the images; in another space (below)
  // `pixels` and `query_pixels` keep them for the thumbnails and a drawn query.
  uint32_t image_h = 0, image_w = 0;
  bool images() const { return image_h != 0; }
  // The space the vectors are in: "" (raw pixels, or not images), "cnn64", "pca64" (the manifest's).
  std::string space, space_label = "raw pixels";
  Dataset pixels, query_pixels;
  Pca space_pca;  // PCA-N: its mean and axes over the images (k = 0 otherwise), to put a drawing in it
  std::string space_model;                    // a learned space: the model that puts a drawing in it
  // Base image i / held-out query i as h * w floats.
  VectorView image_view() const;
  void query_image(size_t i, float* out) const;
  std::vector<std::string> classes;  // the name of each label (the bundled sets), else empty
  // The row of each base vector and held-out query in the data set's file(s) taken as one list
  // (Fashion-MNIST: its 60,000 training images, then its 10,000 test images): a labels file has
  // one label per row, in this order.
  std::vector<size_t> base_rows, query_rows;
  size_t file_rows() const { return base_rows.size() + query_rows.size(); }
  // 2-D blobs: how they were generated (for a link).
  int blob_n = 0, blob_centers = 0;
  uint64_t blob_seed = 0;
  // "Bag" for a named class, else "label 8".
  std::string class_name(int label) const {
    return label >= 0 && size_t(label) < classes.size() ? classes[size_t(label)] : "label " + std::to_string(label);
  }
  // Map coordinates of a vector (the vector itself for 2-D data); on the layout, the weighted mean
  // of the places of its 10 nearest base points (place_on_layout).
  void project(const float* v, float* xy) const;
};

class DataSource {
 public:
  // Where the bundled data sets are ("assets/data/" natively, "/assets/" in the browser).
  std::string assets_dir = "assets/data/";
  // Platform hook: true when the named asset file can be read now; the web platform starts a
  // download and answers false until it has arrived. Natively: always true.
  std::function<bool(const std::string& file)> asset_ready = [](const std::string&) { return true; };

  // The blobs the map can draw every frame and a build can finish between frames.
  static constexpr int kMinBlobPoints = 100, kMaxBlobPoints = 20000;
  DataKind wanted_kind = DataKind::Blobs2D;
  // The space the bundled image sets load in: "default" (the manifest's default_space, CNN-64 for
  // Fashion-MNIST), "raw", or a space id. A set without that space loads in raw pixels.
  std::string space = "default";
  // The map new data sets open on (the layout when they have one; else PCA).
  LabData::MapKind map_kind = LabData::MapKind::Pca;
  // Where a learned space's model manifest is (AppState::models_dir).
  std::string models_dir = "models/";
  // The spaces the manifest lists for `kind` ({id, label}; empty before the manifest is read).
  std::vector<std::pair<std::string, std::string>> spaces_of(DataKind kind) const;
  int blob_n = 2000, blob_centers = 8;
  uint64_t blob_seed = 7;
  std::unique_ptr<LabData> data;
  uint64_t serial = 0;   // increases with every data set installed
  std::string status;    // "loading MNIST...", what is loaded, or an error

  // Starts (or completes) loading `kind`. Returns false while assets are still arriving; true when
  // it is done, with an error (the previous data set stays) or a new data set (serial increased).
  bool load(DataKind kind, std::string* error);
  // Continues a load that was waiting for assets; same result as load().
  bool poll(std::string* error);
  bool pending() const { return pending_; }
  // Makes a person's own vectors the data set (labels optional): up to 1,000 of them, drawn with a
  // fixed seed, are also the held-out queries; the map is the data itself (d <= 2) or its 2-D PCA.
  // On error the previous data set stays.
  Status load_user(Dataset ds);

 private:
  void install(std::unique_ptr<LabData> d);
  std::unique_ptr<AssetManifest> manifest_;  // read on the first bundled data set
  bool pending_ = false;
  DataKind pending_kind_ = DataKind::Blobs2D;
};

}  // namespace annlab::app
