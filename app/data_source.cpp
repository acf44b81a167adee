#include "data_source.h"

#include <numeric>

#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/io.h"
#include "annlab/layout.h"
#include "annlab/pca.h"
#include "annlab/random.h"

namespace annlab::app {

const char* data_kind_name(DataKind k) {
  switch (k) {
    case DataKind::Blobs2D: return "2-D blobs";
    case DataKind::FashionMnist: return "Fashion-MNIST";
    case DataKind::Mnist: return "MNIST";
    case DataKind::User: return "your vectors";
  }
  return "?";
}

VectorView LabData::base_view() const { return as_refinable(*exact)->base_vectors().store().view(); }

std::shared_ptr<const VectorStore> LabData::base_store() const { return as_refinable(*exact)->base_vectors().handle(); }

VectorView LabData::image_view() const { return space.empty() ? base_view() : pixels.view(); }

void LabData::query_image(size_t i, float* out) const {
  (space.empty() ? queries : query_pixels).view().row_to_f32(i, out);
}

bool LabData::show_map(MapKind k) {
  if (k == MapKind::Layout && !has_layout()) return false;
  if (pca_base_xy.empty()) {  // the first switch: keep the PCA map
    pca_base_xy = base_xy;
    pca_query_xy = query_xy;
  }
  map_kind = k;
  base_xy = k == MapKind::Layout ? layout_base_xy : pca_base_xy;
  query_xy = k == MapKind::Layout ? layout_query_xy : pca_query_xy;
  return true;
}

void LabData::project(const float* v, float* xy) const {
  const size_t d = base.d;
  if (map_kind == MapKind::Layout && exact) {
    const size_t k = std::min<size_t>(10, exact->size());
    SearchResult r;
    if (exact->search(VectorView::of(v, 1, d), k, SearchParams{}, &r).is_ok()) {
      place_on_layout(base_xy, r.ids.data(), r.distances.data(), k, xy);
      return;
    }
  }
  if (pca_mean.empty()) {
    xy[0] = v[0];
    xy[1] = d > 1 ? v[1] : 0.0f;
    return;
  }
  for (int c = 0; c < 2; ++c) {
    double s = 0;
    for (size_t j = 0; j < d; ++j) s += double(v[j] - pca_mean[j]) * pca_axes[c * d + j];
    xy[c] = float(s);
  }
}

namespace {

Result<std::vector<float>> load_xy(const std::string& path, size_t n) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset xy, load_vectors(path));
  if (xy.d != 2 || xy.n != n || xy.dtype != DType::F32)
    return Status::error(cat(path, ": expected ", n, " 2-D float vectors, found ", xy.n, " x ", xy.d));
  return std::move(xy.f32);
}

Status load_basis(LabData* data, const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset basis, load_vectors(path));
  if (basis.n != 3 || basis.d != data->base.d || basis.dtype != DType::F32)
    return Status::error(cat(path, ": expected 3 rows (mean, pc1, pc2) of dimension ", data->base.d));
  data->pca_mean.assign(basis.f32.begin(), basis.f32.begin() + long(basis.d));
  data->pca_axes.assign(basis.f32.begin() + long(basis.d), basis.f32.end());
  return Status::ok();
}

// The manifest's name of a bundled data set.
const char* asset_id(DataKind kind) {
  switch (kind) {
    case DataKind::FashionMnist: return "fashion-mnist";
    case DataKind::Mnist: return "mnist";
    default: return "";
  }
}

// The base vectors move into the exact index (one copy in memory); the Dataset keeps labels.
Status move_base_into_exact(LabData& d) {
  ANNLAB_ASSIGN_OR_RETURN(d.exact, make_index("Flat", d.base.d));
  ANNLAB_TRY(d.exact->add(d.base.view()));
  std::vector<float>().swap(d.base.f32);
  std::vector<uint8_t>().swap(d.base.u8);
  return Status::ok();
}

// Puts an image set in `sp`: its vectors become the space's, the images stay for drawing, and
// the map is the space's own 2-D PCA (fitted on at most 20,000 base rows).
Status enter_space(LabData* data, const std::string& dir, const AssetSpace& sp, const std::string& models_dir) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset b, load_vectors(dir + sp.base));
  ANNLAB_ASSIGN_OR_RETURN(Dataset q, load_vectors(dir + sp.query));
  if (b.n != data->base.n || q.n != data->queries.n || b.labels != data->base.labels || q.labels != data->queries.labels)
    return Status::error(cat(dir, sp.base, ", ", sp.query, ": ", b.n, " + ", q.n, " rows, expected the ", data->base.n,
                             " + ", data->queries.n, " images of ", data->name, " with their labels (run scripts/setup)"));
  if (!sp.basis.empty()) {
    ANNLAB_ASSIGN_OR_RETURN(Dataset basis, load_vectors(dir + sp.basis));
    if (basis.n != b.d + 1 || basis.d != data->base.d || basis.dtype != DType::F32)
      return Status::error(cat(dir, sp.basis, ": expected ", b.d + 1, " rows (mean, then the axes) of dimension ", data->base.d));
    data->space_pca.d = basis.d;
    data->space_pca.k = b.d;
    data->space_pca.mean.assign(basis.f32.begin(), basis.f32.begin() + long(basis.d));
    data->space_pca.components.assign(basis.f32.begin() + long(basis.d), basis.f32.end());
  }
  if (!sp.model.empty()) data->space_model = models_dir + sp.model;
  data->pixels = std::move(data->base);
  data->query_pixels = std::move(data->queries);
  data->base = std::move(b);
  data->queries = std::move(q);
  data->space = sp.id;
  data->space_label = sp.label;
  data->layout_base_xy.clear();  // the raw pixels' layout is not this space's
  data->layout_query_xy.clear();
  if (!sp.layout_base.empty()) {
    ANNLAB_ASSIGN_OR_RETURN(data->layout_base_xy, load_xy(dir + sp.layout_base, data->base.n));
    ANNLAB_ASSIGN_OR_RETURN(data->layout_query_xy, load_xy(dir + sp.layout_query, data->queries.n));
  }
  ANNLAB_ASSIGN_OR_RETURN(Pca pca, fit_pca(data->base.view().rows(0, std::min<size_t>(data->base.n, 20000)), 2));
  data->base_xy = pca.project(data->base.view());
  data->query_xy = pca.project(data->queries.view());
  data->pca_mean = pca.mean;
  data->pca_axes = pca.components;
  return Status::ok();
}

Result<std::unique_ptr<LabData>> read_data(DataKind kind, const std::string& dir, const AssetDataset* a, int blob_n,
                                           int centers, uint64_t seed, const AssetSpace* space,
                                           const std::string& models_dir) {
  auto data = std::make_unique<LabData>();
  data->kind = kind;
  data->name = a ? a->label : data_kind_name(kind);
  if (a) data->classes = a->classes;
  if (kind == DataKind::Blobs2D) {
    constexpr size_t kQueries = 200;
    ANNLAB_ASSIGN_OR_RETURN(Dataset all, make_gaussian_blobs(size_t(blob_n) + kQueries, 2, size_t(centers), 1.0, seed));
    std::vector<size_t> b(static_cast<size_t>(blob_n)), q(kQueries);
    std::iota(b.begin(), b.end(), size_t{0});
    std::iota(q.begin(), q.end(), size_t(blob_n));
    data->base = all.subset(b);
    data->queries = all.subset(q);
    data->base_xy = data->base.f32;
    data->query_xy = data->queries.f32;
    data->base_rows = b;
    data->query_rows = q;
    data->blob_n = blob_n;
    data->blob_centers = centers;
    data->blob_seed = seed;
  } else if (kind == DataKind::FashionMnist) {
    ANNLAB_ASSIGN_OR_RETURN(data->base, load_vectors(dir + a->base));
    ANNLAB_ASSIGN_OR_RETURN(data->queries, load_vectors(dir + a->query));
    ANNLAB_ASSIGN_OR_RETURN(data->base_xy, load_xy(dir + a->base_xy, data->base.n));
    ANNLAB_ASSIGN_OR_RETURN(data->query_xy, load_xy(dir + a->query_xy, data->queries.n));
    ANNLAB_TRY(load_basis(data.get(), dir + a->basis));
    if (!a->layout_base.empty()) {
      ANNLAB_ASSIGN_OR_RETURN(data->layout_base_xy, load_xy(dir + a->layout_base, data->base.n));
      ANNLAB_ASSIGN_OR_RETURN(data->layout_query_xy, load_xy(dir + a->layout_query, data->queries.n));
    }
    data->base_rows.resize(data->base.n);
    std::iota(data->base_rows.begin(), data->base_rows.end(), size_t{0});
    data->query_rows.resize(data->queries.n);
    std::iota(data->query_rows.begin(), data->query_rows.end(), data->base.n);
  } else {
    // MNIST has no official split in the package: a seeded 9,000 / 1,000 one.
    ANNLAB_ASSIGN_OR_RETURN(Dataset all, load_vectors(dir + a->all));
    ANNLAB_ASSIGN_OR_RETURN(std::vector<float> xy, load_xy(dir + a->all_xy, all.n));
    std::vector<size_t> order(all.n);
    std::iota(order.begin(), order.end(), size_t{0});
    Rng rng(42);
    rng.shuffle(order);
    const size_t nb = all.n - all.n / 10;
    std::vector<size_t> b(order.begin(), order.begin() + long(nb)), q(order.begin() + long(nb), order.end());
    data->base = all.subset(b);
    data->queries = all.subset(q);
    for (size_t i : b) data->base_xy.insert(data->base_xy.end(), {xy[2 * i], xy[2 * i + 1]});
    for (size_t i : q) data->query_xy.insert(data->query_xy.end(), {xy[2 * i], xy[2 * i + 1]});
    if (!a->all_layout.empty()) {
      ANNLAB_ASSIGN_OR_RETURN(std::vector<float> lxy, load_xy(dir + a->all_layout, all.n));
      for (size_t i : b) data->layout_base_xy.insert(data->layout_base_xy.end(), {lxy[2 * i], lxy[2 * i + 1]});
      for (size_t i : q) data->layout_query_xy.insert(data->layout_query_xy.end(), {lxy[2 * i], lxy[2 * i + 1]});
    }
    data->base_rows = b;
    data->query_rows = q;
    ANNLAB_TRY(load_basis(data.get(), dir + a->basis));
  }
  data->image_h = data->base.image_h;
  data->image_w = data->base.image_w;
  if (space) ANNLAB_TRY(enter_space(data.get(), dir, *space, models_dir));
  ANNLAB_TRY(move_base_into_exact(*data));
  return data;
}

}  // namespace

bool DataSource::load(DataKind kind, std::string* error) {
  if (kind == DataKind::Blobs2D && (blob_n < kMinBlobPoints || blob_n > kMaxBlobPoints || blob_centers < 1 ||
                                    blob_centers > 32)) {
    pending_ = false;
    status = *error = cat("2-D blobs: ", blob_n, " points in ", blob_centers, " blobs is outside ", kMinBlobPoints,
                          "..", kMaxBlobPoints, " points and 1..32 blobs (the map draws every point each frame): ",
                          "the previous data set stays");
    return true;
  }
  wanted_kind = kind;
  const AssetDataset* asset = nullptr;
  if (kind == DataKind::FashionMnist || kind == DataKind::Mnist) {
    // The bundled sets are what assets/data/manifest.json says.
    if (!manifest_) {
      if (!asset_ready("manifest.json")) {
        pending_ = true;
        pending_kind_ = kind;
        status = "downloading the asset manifest...";
        return false;
      }
      const std::string path = assets_dir + "manifest.json";
      auto bytes = read_file(path);
      Result<AssetManifest> m = bytes.is_ok() ? parse_asset_manifest(path, std::string(bytes->begin(), bytes->end()))
                                              : Result<AssetManifest>(bytes.status());
      if (!m.is_ok()) {
        pending_ = false;
        status = *error = m.message();
        return true;
      }
      manifest_ = std::make_unique<AssetManifest>(std::move(m).value());
    }
    asset = manifest_->find(asset_id(kind));
    if (!asset) {
      pending_ = false;
      status = *error = cat(assets_dir, "manifest.json lists no data set '", asset_id(kind), "'");
      return true;
    }
  }
  // The space: the one asked for when the set has it, else raw pixels.
  const std::string want = space == "default" && asset ? asset->default_space : space;
  const AssetSpace* sp = asset && !want.empty() && want != "raw" ? asset->find_space(want) : nullptr;
  if (asset && !asset->spaces.empty() && !sp && !want.empty() && want != "raw") {
    std::string have = "raw";
    for (const AssetSpace& x : asset->spaces) have += ", " + x.id;
    pending_ = false;
    status = *error = cat(asset->label, " has no space '", want, "' (it has ", have, "): the previous data set stays");
    return true;
  }
  std::vector<std::string> files = asset ? asset->files : std::vector<std::string>{};
  if (sp) files.insert(files.end(), sp->files.begin(), sp->files.end());
  for (const std::string& f : files) {
    if (!asset_ready(f)) {
      pending_ = true;
      pending_kind_ = kind;
      status = cat("downloading ", data_kind_name(kind), "...");
      return false;
    }
  }
  pending_ = false;
  auto loaded = read_data(kind, assets_dir, asset, blob_n, blob_centers, blob_seed, sp, models_dir);
  if (!loaded.is_ok()) {
    status = *error = loaded.message();
    return true;  // the previous data stays
  }
  install(std::move(loaded).value());
  status = cat(data->name, ": ", data->base.n, " base vectors, ", data->queries.n, " held-out queries, d = ",
               data->base.d, data->space.empty() ? "" : cat(" (", data->space_label, " space)"));
  return true;
}

std::vector<std::pair<std::string, std::string>> DataSource::spaces_of(DataKind kind) const {
  std::vector<std::pair<std::string, std::string>> out;
  const AssetDataset* a = manifest_ ? manifest_->find(asset_id(kind)) : nullptr;
  if (!a) return out;
  for (const AssetSpace& sp : a->spaces) out.emplace_back(sp.id, sp.label);
  return out;
}

bool DataSource::poll(std::string* error) { return pending_ ? load(pending_kind_, error) : true; }

Status DataSource::load_user(Dataset ds) {
  ANNLAB_TRY(ds.validate().with_context(ds.name));
  ANNLAB_TRY(ds.view().check_finite(ds.name));
  const std::string ds_note = ds.note;
  auto d = std::make_unique<LabData>();
  d->kind = DataKind::User;
  d->name = ds.name;
  // Queries held out of the index (never a base point counted as its own neighbour).
  const HeldOutSplit split = split_held_out(ds.n);
  const size_t nq = split.queries.size();
  d->queries = ds.subset(split.queries);
  d->base = ds.subset(split.base);
  d->base_rows = split.base;
  d->query_rows = split.queries;
  d->image_h = d->base.image_h;
  d->image_w = d->base.image_w;
  ds = Dataset{};  // the file's copy is no longer needed
  auto xy_of = [](const Dataset& x, std::vector<float>* out) {
    for (size_t i = 0; i < x.n; ++i) out->insert(out->end(), {x.view().at(i, 0), x.d > 1 ? x.view().at(i, 1) : 0.0f});
  };
  if (d->base.d <= 2) {
    xy_of(d->base, &d->base_xy);
    xy_of(d->queries, &d->query_xy);
  } else {
    ANNLAB_ASSIGN_OR_RETURN(Pca pca, fit_pca(d->base.view().rows(0, std::min<size_t>(d->base.n, 20000)), 2));
    d->base_xy = pca.project(d->base.view());
    d->query_xy = pca.project(d->queries.view());
    d->pca_mean = pca.mean;
    d->pca_axes = pca.components;
  }
  ANNLAB_TRY(move_base_into_exact(*d));
  pending_ = false;
  wanted_kind = DataKind::User;
  install(std::move(d));
  const std::string note = ds_note.empty() ? std::string() : cat("; ", ds_note);
  status = cat(data->name, ": ", data->base.n, " base vectors and ", nq, " held-out queries (not in the index; ",
               "min(1,000, 10 %) of the file, seed 42: `annlab split` makes the same), d = ", data->base.d, note);
  return Status::ok();
}

void DataSource::install(std::unique_ptr<LabData> d) {
  d->pca_base_xy = d->base_xy;
  d->pca_query_xy = d->query_xy;
  if (map_kind == LabData::MapKind::Layout) d->show_map(map_kind);  // the map asked for, when it has one
  data = std::move(d);
  ++serial;
}

}  // namespace annlab::app
