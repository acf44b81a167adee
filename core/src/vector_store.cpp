#include "annlab/vector_store.h"

#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/memory.h"

namespace annlab {

namespace {
// Byte distances are summed in uint32: beyond this dimension they could overflow, so such
// vectors are kept as floats.
constexpr size_t kMaxByteDim = 66000;

bool all_bytes(const float* x, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (!(x[i] >= 0.0f && x[i] <= 255.0f) || x[i] != std::floor(x[i])) return false;
  return true;
}
}  // namespace

Status VectorStore::add(const VectorView& x) {
  if (x.d != d_) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", d_));
  ANNLAB_TRY(x.check_finite("added"));
  const bool as_bytes = n_ == 0 ? x.is_u8() && d_ <= kMaxByteDim : dtype_ == DType::U8;
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("vectors", x.n, x.d, as_bytes ? 1 : 4));
  ANNLAB_TRY(check_memory(cat("storing ", x.n, " vectors of dimension ", x.d), bytes));
  if (n_ == 0) dtype_ = (x.is_u8() && d_ <= kMaxByteDim) ? DType::U8 : DType::F32;
  if (dtype_ == DType::U8 && !x.is_u8() && !all_bytes(x.f32, x.n * x.d)) {
    f32_.assign(u8_.begin(), u8_.end());  // lossless switch to floats
    std::vector<uint8_t>().swap(u8_);
    dtype_ = DType::F32;
  }
  const size_t count = x.n * x.d;
  if (dtype_ == DType::U8) {
    if (x.is_u8()) u8_.insert(u8_.end(), x.u8, x.u8 + count);
    else u8_.insert(u8_.end(), x.f32, x.f32 + count);  // checked: integers 0..255
  } else {
    if (x.is_u8()) f32_.insert(f32_.end(), x.u8, x.u8 + count);
    else f32_.insert(f32_.end(), x.f32, x.f32 + count);
  }
  n_ += x.n;
  return Status::ok();
}

VectorView VectorStore::view() const {
  return dtype_ == DType::U8 ? VectorView::of(u8_.data(), n_, d_) : VectorView::of(f32_.data(), n_, d_);
}

void VectorStore::prepare(const VectorView& q, size_t i, PreparedQuery* out) const {
  out->f.resize(d_);
  q.row_to_f32(i, out->f.data());
  out->bytes = false;
  if (dtype_ != DType::U8) return;
  if (q.is_u8()) {
    out->b.assign(q.u8 + i * d_, q.u8 + (i + 1) * d_);
    out->bytes = true;
  } else if (all_bytes(out->f.data(), d_)) {
    out->b.assign(out->f.begin(), out->f.end());
    out->bytes = true;
  }
}

void VectorStore::save(BinaryWriter& w) const {
  w.put<uint32_t>(static_cast<uint32_t>(dtype_));
  w.put<uint64_t>(n_);
  if (dtype_ == DType::U8) w.array(u8_);
  else w.array(f32_);
}

Status VectorStore::load(BinaryReader& r) {
  uint32_t t = 0;
  uint64_t n = 0;
  ANNLAB_TRY(r.get(&t, "vector store dtype"));
  if (t > 1) return r.error(cat("vector store dtype ", t, " is not 0 (float32) or 1 (uint8)"));
  ANNLAB_TRY(r.get(&n, "vector store size"));
  const uint64_t max_count = r.remaining() / (t == 1 ? 1 : 4);
  if (d_ == 0 || n > max_count / d_)
    return r.error(cat("vector store of ", n, " vectors of dimension ", d_, " does not fit in the ",
                       r.remaining(), " bytes left"));
  dtype_ = static_cast<DType>(t);
  if (dtype_ == DType::U8) {
    ANNLAB_TRY(r.array(&u8_, "vector store bytes", max_count));
    if (u8_.size() != n * d_) return r.error(cat("vector store holds ", u8_.size(), " bytes, expected ", n * d_));
  } else {
    ANNLAB_TRY(r.array(&f32_, "vector store floats", max_count));
    if (f32_.size() != n * d_) return r.error(cat("vector store holds ", f32_.size(), " floats, expected ", n * d_));
    ANNLAB_TRY(VectorView::of(f32_.data(), n, d_).check_finite("stored"));
  }
  n_ = n;
  return Status::ok();
}

}  // namespace annlab
