#include "annlab/vector_store.h"

#include <algorithm>

#include "annlab/binary_io.h"
#include "parts/sha256.h"

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

namespace annlab {

std::string VectorStore::sha256(size_t n) const {
  detail::Sha256 h;
  const uint8_t t = dtype_ == DType::U8 ? 1 : 0;
  h.update(&t, 1);
  if (dtype_ == DType::U8) h.update(u8_.data(), std::min(n, n_) * d_);
  else h.update(f32_.data(), std::min(n, n_) * d_ * 4);
  return detail::Sha256::hex(h.digest());
}

Status BaseVectors::share(std::shared_ptr<const VectorStore> base) {
  if (!base) return Status::error("no base vectors to share");
  if (base->dim() != own_->dim())
    return Status::error(cat("the base vectors have dimension ", base->dim(), ", the index has ", own_->dim()));
  if (n_ != 0) return Status::error("the base vectors must be shared before the first vectors are added");
  shared_ = std::move(base);
  cur_ = shared_.get();
  return Status::ok();
}

Status BaseVectors::add(const VectorView& x) {
  if (!shared_) {
    ANNLAB_TRY(own_->add(x));
    n_ = own_->size();
    return Status::ok();
  }
  if (x.d != shared_->dim())
    return Status::error(cat("vectors of dimension ", x.d, " added to an index of dimension ", shared_->dim()));
  if (n_ + x.n > shared_->size())
    return Status::error(cat("adding ", x.n, " vectors after ", n_, " passes the ", shared_->size(),
                             " shared base vectors: the index re-ranks with those"));
  n_ += x.n;
  return Status::ok();
}

void BaseVectors::save(BinaryWriter& w) const {
  const bool embed = !shared_ || (w.context && w.context->embed_base);
  w.put<uint8_t>(embed ? 0 : 1);
  if (embed) {
    if (!shared_) {
      own_->save(w);
      return;
    }
    // The shared vectors' first n_ rows, as an own copy would have saved them.
    VectorStore copy(shared_->dim());
    (void)copy.add(shared_->view().rows(0, n_));
    copy.save(w);
    return;
  }
  w.put<uint64_t>(n_);
  w.put<uint32_t>(uint32_t(shared_->dim()));
  w.put<uint32_t>(shared_->dtype() == DType::U8 ? 1 : 0);
  const std::string sha = shared_->sha256(n_);
  w.bytes(sha.data(), 64);
}

Status BaseVectors::load(BinaryReader& r) {
  uint8_t mode = 0;
  if (!r.context || r.context->version >= 2) {
    ANNLAB_TRY(r.get(&mode, "base vectors mode"));
    if (mode > 1) return r.error(cat("base vectors mode ", int(mode), " is not 0 (embedded) or 1 (by reference)"));
  }
  if (mode == 0) {
    shared_.reset();
    own_ = std::make_shared<VectorStore>(own_->dim());
    cur_ = own_.get();
    ANNLAB_TRY(own_->load(r));
    n_ = own_->size();
    return Status::ok();
  }
  uint64_t n = 0;
  uint32_t d = 0, dtype = 0;
  char sha[64];
  ANNLAB_TRY(r.get(&n, "base vectors count"));
  ANNLAB_TRY(r.get(&d, "base vectors dimension"));
  ANNLAB_TRY(r.get(&dtype, "base vectors dtype"));
  ANNLAB_TRY(r.bytes(sha, 64, "base vectors sha256"));
  const std::string want(sha, 64);
  const std::string what = cat(n, " base vectors of dimension ", d, " (", dtype == 1 ? "uint8" : "float32",
                               ", sha256 ", want.substr(0, 16), "...)");
  const std::shared_ptr<const VectorStore>& base = r.context ? r.context->base : nullptr;
  if (!base)
    return r.error(cat("the index re-ranks with the ", what,
                       " it was built on and the file does not hold them: load it together with them (the CLI's "
                       "--base, the lab's data set), or save it with the base vectors embedded"));
  const std::string given = cat(base->size(), " of dimension ", base->dim(), " (", base->dtype() == DType::U8 ? "uint8" : "float32");
  if (base->dim() != d || base->size() < n)
    return r.error(cat("the index re-ranks with the ", what, " it was built on; the base vectors given are ", given,
                       "): other vectors"));
  const std::string sha_given = base->sha256(n);
  if ((base->dtype() == DType::U8 ? 1u : 0u) != dtype || sha_given != want)
    return r.error(cat("the index re-ranks with the ", what, " it was built on; the base vectors given are ", given,
                       ", sha256 of the first ", n, ": ", sha_given.substr(0, 16), "...): other vectors"));
  if (d != own_->dim()) return r.error(cat("base vectors of dimension ", d, " for an index of dimension ", own_->dim()));
  shared_ = base;
  own_ = std::make_shared<VectorStore>(own_->dim());
  cur_ = shared_.get();
  n_ = n;
  return Status::ok();
}

}  // namespace annlab

namespace annlab {

void write_refine_block(BinaryWriter& w, size_t d) {
  if (w.refine) {
    w.refine->save(w);
    return;
  }
  BaseVectors none(d);
  none.save(w);
}

Status read_refine_block(BinaryReader& r, size_t d) {
  if (r.refine) return r.refine->load(r);
  BaseVectors dropped(d);
  ANNLAB_TRY(dropped.load(r));
  if (dropped.size() != 0)
    return r.error(cat("the payload holds ", dropped.size(), " base vectors for a re-rank this index does not have"));
  return Status::ok();
}

}  // namespace annlab
