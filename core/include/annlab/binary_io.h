// annlab/binary_io.h — bounds-checked little-endian reading and writing for annlab's binary
// formats. A reader never reads past its end: a short read is an error naming the field, the
// offset and how many bytes were needed and left.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "annlab/status.h"

namespace annlab {

class VectorStore;
class BaseVectors;

// What an index file is written with or read against.
struct IndexFileContext {
  uint32_t version = 0;                     // the file's format version (reading)
  bool embed_base = false;                  // writing: embed shared base vectors (a standalone file)
  std::shared_ptr<const VectorStore> base;  // reading: the base vectors a file may refer to
};

class BinaryWriter {
 public:
  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof(T));
  }
  void bytes(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), c, c + n);
  }
  template <class T>
  void array(const std::vector<T>& v) {  // u64 count, then the elements
    put<uint64_t>(v.size());
    if (!v.empty()) bytes(v.data(), v.size() * sizeof(T));
  }
  void string(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  std::vector<uint8_t>& buffer() { return buf_; }
  size_t size() const { return buf_.size(); }
  const IndexFileContext* context = nullptr;  // set while writing an index file
  // The exact re-rank's base vectors (RefineIndex's), which a coded index writes at the place in its
  // payload where format 1 and 2 put them (write_refine_block, vector_store.h).
  const BaseVectors* refine = nullptr;

 private:
  std::vector<uint8_t> buf_;
};

class BinaryReader {
 public:
  // `base` is the offset of data[0] in the file, so messages give file offsets.
  BinaryReader(const uint8_t* data, size_t size, size_t base = 0) : p_(data), n_(size), base_(base) {}

  template <class T>
  Status get(T* out, std::string_view field) {
    static_assert(std::is_trivially_copyable_v<T>);
    ANNLAB_TRY(need(sizeof(T), field));
    std::memcpy(out, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::ok();
  }
  Status bytes(void* out, size_t n, std::string_view field) {
    ANNLAB_TRY(need(n, field));
    if (n) std::memcpy(out, p_ + pos_, n);
    pos_ += n;
    return Status::ok();
  }
  // An array written by BinaryWriter::array; `max_count` bounds the count before allocating.
  template <class T>
  Status array(std::vector<T>* out, std::string_view field, uint64_t max_count) {
    uint64_t count = 0;
    ANNLAB_TRY(get(&count, field));
    if (count > max_count)
      return error_at(pos_ - 8, cat(field, ": count ", count, " exceeds the limit ", max_count));
    if (count > remaining() / sizeof(T))
      return error_at(pos_, cat(field, ": truncated: ", count, " elements need ", count * sizeof(T),
                                " bytes, ", remaining(), " left"));
    out->resize(count);
    return bytes(out->data(), count * sizeof(T), field);
  }
  Status string(std::string* out, std::string_view field, uint32_t max_len = 4096) {
    uint32_t len = 0;
    ANNLAB_TRY(get(&len, field));
    if (len > max_len) return error_at(pos_ - 4, cat(field, ": length ", len, " exceeds ", max_len));
    ANNLAB_TRY(need(len, field));
    out->assign(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return Status::ok();
  }
  size_t offset() const { return base_ + pos_; }
  size_t remaining() const { return n_ - pos_; }
  Status error_at(size_t reader_pos, std::string_view what) const {
    return Status::error(cat("offset ", base_ + reader_pos, ": ", what));
  }
  Status error(std::string_view what) const { return error_at(pos_, what); }
  const IndexFileContext* context = nullptr;  // set while reading an index file
  BaseVectors* refine = nullptr;              // where read_refine_block puts the re-rank's base vectors

 private:
  Status need(size_t n, std::string_view field) const {
    if (n > remaining())
      return error(cat("truncated while reading ", field, ": need ", n, " bytes, ", remaining(), " left"));
    return Status::ok();
  }
  const uint8_t* p_;
  size_t n_;
  size_t base_;
  size_t pos_ = 0;
};

// CRC-32 (IEEE 802.3, reflected, as zlib), used to detect corrupted files.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace annlab
