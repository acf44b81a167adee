#include "parts/routers.h"

#include <algorithm>

#include "annlab/binary_io.h"
#include "annlab/distance.h"
#include "parts/kmeans.h"

namespace annlab {
namespace {

class CentroidRouter final : public CellRouter {
 public:
  CentroidRouter(size_t d, size_t nlist) : CellRouter(d, nlist) {}
  std::string name() const override { return "centroids"; }
  bool trained() const override { return !centroids_.empty(); }
  TrainTask train_task(VectorView x, uint64_t seed) override {
    KMeansParams kp;
    kp.k = cells();
    kp.seed = seed;
    kp.iterations = 10;  // as FAISS's IVF training
    KMeansResult km;
    ANNLAB_CO_RUN(kmeans_task(x, kp, &km));
    centroids_ = std::move(km.centroids);
    trained_ = TrainedLabels(x, std::move(km.labels));
    prepare();
    co_return Status::ok();
  }
  void assign(const VectorView& x, int32_t* cell) const override {
    if (!trained_.lookup(x, cell)) assign_nearest(x, centroids_.data(), cells(), cell);
  }
  void drop_trained_cells() override { trained_ = {}; }
  size_t route(const float* q, size_t nprobe, CellChoice* out) const override {
    const Kernels& kern = kernels();
    const size_t d = dim(), n = cells();
    if (ints_.ok() && nprobe > 0 && nprobe < n && route_ints(q, nprobe, out)) return n;
    scratch_.resize(n);
    for (size_t c = 0; c < n; ++c) scratch_[c] = {kern.l2sq_f32(q, centroids_.data() + c * d, d), int64_t(c)};
    std::partial_sort(scratch_.begin(), scratch_.begin() + long(nprobe), scratch_.end());
    std::copy_n(scratch_.begin(), nprobe, out);
    return n;
  }
  bool values_are_distances() const override { return true; }
  const std::vector<float>& centroids() const override { return centroids_; }
  size_t memory_bytes() const override { return centroids_.size() * 4 + ints_.v.size() * 2; }
  void save(BinaryWriter& w) const override { w.array(centroids_); }
  Status load(BinaryReader& r) override {
    trained_ = {};
    ANNLAB_TRY(r.array(&centroids_, "IVF centroids", r.remaining() / 4));
    if (!centroids_.empty() && centroids_.size() != cells() * dim())
      return r.error(cat("IVF holds ", centroids_.size(), " centroid floats, expected ", cells() * dim()));
    ANNLAB_TRY(VectorView::of(centroids_.data(), centroids_.size(), 1).check_finite("IVF centroid"));
    prepare();
    return Status::ok();
  }

 private:
  // Where the level ranks by integers (detail::use_int16: 128+ dimensions and 512+ cells in wasm), the centroids
  // in int16 and their squared norms.
  void prepare() {
    ints_ = {};
    const size_t d = dim(), n = cells();
    if (centroids_.size() != n * d || !detail::use_int16(simd_level(), d, n, detail::kIntMinCentroids)) return;
    ints_ = detail::Int16Rows(centroids_.data(), n, d, simd_level());
    const Kernels& kern = kernels();
    norms_.resize(n);
    max_norm_ = 0;
    for (size_t c = 0; c < n; ++c) {
      norms_[c] = kern.ip_f32(centroids_.data() + c * d, centroids_.data() + c * d, d);
      max_norm_ = std::max(max_norm_, norms_[c]);
    }
  }
  // A query of small integers: exact integer products against the int16 centroids give each
  // score ||c||^2 - 2 q.c within E = 2 err ||q||_1 (+ the float terms) of the exact kernel's
  // distance minus ||q||^2. Only cells whose score is within 2E of the nprobe-th smallest can be
  // among the nprobe nearest; the exact kernel ranks those, so the cells and their distances are
  // the float path's. False (the float path answers) when q is not small integers.
  bool route_ints(const float* q, size_t nprobe, CellChoice* out) const {
    const Kernels& kern = kernels();
    const size_t d = dim(), n = cells(), dp = ints_.dp;
    thread_local std::vector<int16_t> q16;
    thread_local std::vector<int32_t> dots;
    thread_local std::vector<float> score, sorted;
    q16.resize(dp);
    double l1 = 0;
    if (!detail::small_int_rows(q, 1, d, dp, q16.data(), &l1)) return false;
    dots.resize(n);
    score.resize(n);
    ints_.one(q16.data(), 1, ints_.v.data(), n, dp, dots.data());
    const float s2 = float(2 * ints_.scale);
    for (size_t c = 0; c < n; ++c) score[c] = norms_[c] - s2 * float(dots[c]);
    sorted = score;
    std::nth_element(sorted.begin(), sorted.begin() + long(nprobe - 1), sorted.end());
    const float qn = kern.ip_f32(q, q, d);
    const double e = 2 * ints_.err * l1 * (1 + 1e-6) + 1e-5 * (double(qn) + max_norm_) + 1e-6;
    const double limit = double(sorted[nprobe - 1]) + 2 * e;
    scratch_.clear();
    for (size_t c = 0; c < n; ++c)
      if (double(score[c]) <= limit) scratch_.push_back({kern.l2sq_f32(q, centroids_.data() + c * d, d), int64_t(c)});
    std::partial_sort(scratch_.begin(), scratch_.begin() + long(nprobe), scratch_.end());
    std::copy_n(scratch_.begin(), nprobe, out);
    return true;
  }

  std::vector<float> centroids_;  // cells x d
  TrainedLabels trained_;         // the training rows' cells, until drop_trained_cells()
  detail::Int16Rows ints_;
  std::vector<float> norms_;
  float max_norm_ = 0;
  static thread_local std::vector<CellChoice> scratch_;
};

thread_local std::vector<CellChoice> CentroidRouter::scratch_;

}  // namespace

std::unique_ptr<CellRouter> make_centroid_router(size_t d, size_t nlist) {
  return std::make_unique<CentroidRouter>(d, nlist);
}

}  // namespace annlab
