// Private header (core/src/parts): k-means (k-means++ initialisation, Lloyd iterations), reused by IVF, PQ, the
// token index and the learned router.
//
// The assignment step uses Eigen matrix products (||x||^2 - 2 x.c + ||c||^2) and then recomputes
// near-ties with annlab's exact kernels, and centroids are averaged in double in a fixed order, so
// one seed gives the same centroids natively and in WebAssembly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/distance.h"
#include "annlab/status.h"
#include "annlab/train_task.h"
#include "kernels/distance_impl.h"

namespace annlab {

struct KMeansParams {
  size_t k = 0;
  int iterations = 20;
  uint64_t seed = 1234;
  // Train on at most k * this many vectors, drawn with the seed (FAISS's default is 256).
  size_t max_points_per_centroid = 256;
  // Called after initialisation (iteration 0) and each Lloyd iteration with the mean squared error.
  std::function<void(int iteration, double mse)> progress;
};

struct KMeansResult {
  size_t k = 0, d = 0;
  std::vector<float> centroids;  // k * d
  double mse = 0.0;              // mean squared distance to the nearest centroid (training set)
  int iterations = 0;
  size_t empty_repairs = 0;      // clusters re-seeded because they were empty
  // When k-means trained on every row of x (no sample): each row's nearest final centroid, the
  // answer assign_nearest gives (the last pass assigns to the final centroids). Empty otherwise.
  std::vector<int32_t> labels;
};

// The rows a k-means trained on and their final labels, so that adding those same rows (train then
// add one dataset, at once or in chunks, as IVF is built) need not assign them again. A view is
// recognised by its address (which row it starts at) and by a 64-bit hash of every row's bytes, which
// tells apart any two rows that differ in one 8-byte word; a copy elsewhere, another dataset or a row
// changed in place is not recognised and is assigned in full.
class TrainedLabels {
 public:
  TrainedLabels() = default;
  TrainedLabels(const VectorView& x, std::vector<int32_t> labels);
  // True, with labels[0..x.n) written, when every row of x is one of these rows, unchanged.
  bool lookup(const VectorView& x, int32_t* labels) const;
  size_t rows() const { return labels_.size(); }
  size_t memory_bytes() const { return labels_.size() * 4 + hash_.size() * 8; }

 private:
  const void* base_ = nullptr;
  bool u8_ = false;
  size_t d_ = 0;
  std::vector<uint64_t> hash_;
  std::vector<int32_t> labels_;
};

// Errors: k = 0, fewer vectors than k, NaN/Inf in x.
Result<KMeansResult> kmeans(const VectorView& x, const KMeansParams& params);
// The same k-means cut into steps (train_task.h): the sample, chunks of k-means++ centres, blocks
// of rows of each assignment pass. Writes *out when it finishes without error; x must outlive it.
TrainTask kmeans_task(VectorView x, KMeansParams params, KMeansResult* out);

// Index of the nearest of k centroids (k * d floats) for every row of x, and (if dist is not null)
// its squared distance; ties go to the lower index. Same answer in every build.
void assign_nearest(const VectorView& x, const float* centroids, size_t k, int32_t* labels, float* dist = nullptr);

namespace detail {
// The product of the assignment (and of IVF's centroid ranking and the binary encoders): the
// level's choice (Auto: int16 for small-integer rows where use_int16 says so, the float block
// product elsewhere), or one forced for tests (Float, Int16), which must give the same answers. Not
// thread-safe; tests set it and restore Auto.
enum class AssignProduct { Auto, Float, Int16 };
void force_assign_product(AssignProduct p);
// Rows assigned by the integer path so far (tests check that it ran).
size_t int_assigned_rows();
// k-means passes after the first skip the rows whose assignment is proven unchanged (a lower bound
// on the distance to every other centroid, kept up to date by how far the centroids moved; on by
// default). Off: every row is assigned in full, as tests compare. Not thread-safe. And the rows
// skipped so far.
void set_kmeans_bounds(bool on);
size_t kmeans_skipped_rows();
// Rows (from 128 centroids of 64 dimensions, where the bounds are kept per group of centroids) that
// measured only the centroids of the groups their bounds left open, so far.
size_t kmeans_near_rows();
// Tests: after every pass compare each bound with the true distances it bounds (n k d work) and
// count the bounds above one, so far.
void check_kmeans_bounds(bool on);
size_t kmeans_bound_violations();
// TrainedLabels::lookup answers (on by default); off, every lookup misses, as tests compare. Not
// thread-safe. And the rows it answered so far.
void set_trained_labels(bool on);
size_t trained_label_rows();
// Whether the integer path serves `rows` rows (centroids, projections) of dimension d at this level
// (or as forced): at simd128 from 128 dimensions and min_rows rows. The k-means assignment and IVF's
// ranking pass kIntMinCentroids (below it the integer tiles' fixed costs lose); the binary
// encoders 1.
constexpr size_t kIntMinCentroids = 512;
bool use_int16(SimdLevel level, size_t d, size_t rows, size_t min_rows);
// The binary encoders' projections of a byte query: from 128 dimensions at simd128, AVX2 and AVX-512
// (natively the integer sums, 16 multiply-adds an instruction, leave the float kernel only the bits
// near their thresholds), or as forced.
bool use_int16_projections(SimdLevel level, size_t d);

// n rows of d floats rounded to int16 fixed point, row ~ scale * v (rows padded to dp), with err
// the largest |row - scale * v| over every component. For a row x of small integers the exact
// integer product gives |x . row - scale (x . v)| <= err ||x||_1. Empty (ok() false) where the
// sums could overflow or the rows are not finite.
struct Int16Rows {
  size_t dp = 0;
  double scale = 0, err = 0;
  std::vector<int16_t> v;
  IntBlockProduct product = nullptr;  // a block of rows of x against these
  IntBlockProduct one = nullptr;      // a single row of x against these
  Int16Rows() = default;
  Int16Rows(const float* rows, size_t n, size_t d, SimdLevel level);
  bool ok() const { return product != nullptr; }
};
// Copies m rows of x into int16 rows of dp (zero-padded) with each row's L1 norm; false if any
// value is not an integer of magnitude at most 255.
bool small_int_rows(const float* x, size_t m, size_t d, size_t dp, int16_t* out, double* l1);
}  // namespace detail

}  // namespace annlab
