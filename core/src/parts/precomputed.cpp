#include "parts/precomputed.h"

#include <algorithm>
#include <cstring>

#include "annlab/binary_io.h"
#include "parts/routers.h"

namespace annlab {

namespace {
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

template <class T>
typename OutputMemo<T>::Key OutputMemo<T>::key(const float* x) const {
  uint64_t a = 0x9e3779b97f4a7c15ull ^ d_, b = 0xc2b2ae3d27d4eb4full + d_;
  for (size_t j = 0; j < d_; ++j) {
    uint32_t bits;
    std::memcpy(&bits, x + j, 4);
    if (x[j] == 0.0f) bits = 0;  // -0 and +0 are the same input
    a = mix(a + bits + j);
    b = mix(b ^ (uint64_t(bits) << 17 | j));
  }
  return {a, b};
}

template <class T>
Status OutputMemo<T>::check(const VectorView& x, std::string_view part) const {
  std::vector<float> row(d_);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    if (!find(row.data()))
      return Status::error(cat(part, " for row ", i, " of ", x.n, " were not handed in (", map_.size(),
                               " rows have them): run the model on these vectors first"));
  }
  return Status::ok();
}

template <class T>
void OutputMemo<T>::put_rows(const VectorView& x, const T* out) {
  std::vector<float> row(d_);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    put(row.data(), out + i * width_);
  }
}

// The one-byte payload of a stand-in: whether it was "trained" (the model was, elsewhere).
static void save_flag(BinaryWriter& w, bool f) { w.put<uint8_t>(f ? 1 : 0); }
static Status load_flag(BinaryReader& r, bool* f, const char* what) {
  uint8_t t = 0;
  ANNLAB_TRY(r.get(&t, what));
  if (t > 1) return r.error(cat(what, " is ", int(t), ", expected 0 or 1"));
  *f = t != 0;
  return Status::ok();
}

template class OutputMemo<float>;
template class OutputMemo<uint64_t>;

// ---- transform ------------------------------------------------------------------------------------

TrainTask PrecomputedTransform::train_task(VectorView, uint64_t) {
  trained_ = true;
  co_return Status::ok();
}

Status PrecomputedTransform::feed(const VectorView& x, const float* out) {
  if (x.d != d_in()) return Status::error(cat(name_, ": outputs for vectors of dimension ", x.d, ", expected ", d_in()));
  ANNLAB_TRY(VectorView::of(out, x.n, d_out()).check_finite(cat(name_, " output")));
  memo_.put_rows(x, out);
  return Status::ok();
}

void PrecomputedTransform::apply(const float* x, size_t n, float* out) const {
  for (size_t i = 0; i < n; ++i) {
    const float* y = memo_.find(x + i * d_in());
    for (size_t j = 0; j < d_out(); ++j) out[i * d_out() + j] = y ? y[j] : 0.0f;
  }
}

void PrecomputedTransform::save(BinaryWriter& w) const { save_flag(w, trained_); }
Status PrecomputedTransform::load(BinaryReader& r) { return load_flag(r, &trained_, "precomputed transform flag"); }

// ---- router ---------------------------------------------------------------------------------------

PrecomputedRouter::PrecomputedRouter(std::string name, size_t d, size_t nlist)
    : CellRouter(d, nlist), name_(std::move(name)), cells_(make_centroid_router(d, nlist)), memo_(d, nlist) {}

Status PrecomputedRouter::feed(const VectorView& x, const float* scores) {
  if (x.d != dim()) return Status::error(cat(name_, ": scores for vectors of dimension ", x.d, ", expected ", dim()));
  ANNLAB_TRY(VectorView::of(scores, x.n, cells()).check_finite(cat(name_, " cell score")));
  memo_.put_rows(x, scores);
  return Status::ok();
}

size_t PrecomputedRouter::route(const float* q, size_t nprobe, CellChoice* out) const {
  const float* s = memo_.find(q);
  std::vector<CellChoice> all(cells());
  for (size_t c = 0; c < cells(); ++c) all[c] = {s ? -s[c] : 0.0f, int64_t(c)};
  std::partial_sort(all.begin(), all.begin() + long(nprobe), all.end());
  std::copy_n(all.begin(), nprobe, out);
  return 0;
}

}  // namespace annlab
