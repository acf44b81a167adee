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
    co_return Status::ok();
  }
  void assign(const VectorView& x, int32_t* cell) const override {
    assign_nearest(x, centroids_.data(), cells(), cell);
  }
  size_t route(const float* q, size_t nprobe, CellChoice* out) const override {
    const Kernels& kern = kernels();
    const size_t d = dim(), n = cells();
    scratch_.resize(n);
    for (size_t c = 0; c < n; ++c) scratch_[c] = {kern.l2sq_f32(q, centroids_.data() + c * d, d), int64_t(c)};
    std::partial_sort(scratch_.begin(), scratch_.begin() + long(nprobe), scratch_.end());
    std::copy_n(scratch_.begin(), nprobe, out);
    return n;
  }
  bool values_are_distances() const override { return true; }
  const std::vector<float>& centroids() const override { return centroids_; }
  size_t memory_bytes() const override { return centroids_.size() * 4; }
  void save(BinaryWriter& w) const override { w.array(centroids_); }
  Status load(BinaryReader& r) override {
    ANNLAB_TRY(r.array(&centroids_, "IVF centroids", r.remaining() / 4));
    if (!centroids_.empty() && centroids_.size() != cells() * dim())
      return r.error(cat("IVF holds ", centroids_.size(), " centroid floats, expected ", cells() * dim()));
    return VectorView::of(centroids_.data(), centroids_.size(), 1).check_finite("IVF centroid");
  }

 private:
  std::vector<float> centroids_;  // cells x d
  static thread_local std::vector<CellChoice> scratch_;
};

thread_local std::vector<CellChoice> CentroidRouter::scratch_;

}  // namespace

std::unique_ptr<CellRouter> make_centroid_router(size_t d, size_t nlist) {
  return std::make_unique<CentroidRouter>(d, nlist);
}

}  // namespace annlab
