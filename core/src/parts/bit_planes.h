// Private header (core/src/parts): binary codes stored bit-sliced, for a Hamming ranking without popcount.
//
// WebAssembly has no 64-bit vector popcount: i8x16.popcnt is lowered (on x86) to a nibble table
// lookup of seven instructions plus constant reloads, and the byte counts still have to be summed
// per code. Stored as bit planes instead, 128 codes per block with plane k holding bit k of each of
// them (one bit per lane of a 128-bit vector) and each code's popcount stored bit-sliced after
// them, the distances of a whole block are counted with bitwise operations only. With Q the query's
// set bits, d = |Q| + pop(c) - 2 S1 (S1: c's bits inside Q), or |Q| - pop(c) + 2 S0 over the
// complement, so only the smaller half of the planes is read, without XOR; they are summed four at
// a time by carry-save adders into a bit-sliced counter, and d is compared with the current cap-th
// distance bit-sliced as well. A block whose every lane is at least that far is skipped without
// reading a single distance; about 3.5 operations per 64-bit code instead of about 11.
//
// The WebAssembly build keeps this copy beside the row-major codes (which stay the file format);
// the native build keeps only the row-major codes (VPOPCNTQ / AVX2 scans are faster there).
// The portable version (two 64-bit words per vector) is the scalar level and what native tests run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace annlab {

// 64-byte aligned storage: a plane (16 bytes) never straddles a cache line.
template <class T>
struct CacheAligned {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheAligned() = default;
  template <class U>
  CacheAligned(const CacheAligned<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }  // (clang 14 has no sized delete by default)
  friend bool operator==(const CacheAligned&, const CacheAligned&) { return true; }
};

class BitPlanes {
 public:
  static constexpr size_t kLanes = 128;     // codes per block
  static constexpr size_t kPopPlanes = 12;  // each code's popcount, bit-sliced (the top ones zero)

  BitPlanes() = default;
  explicit BitPlanes(size_t bits);  // 1 <= bits <= 1024 (BinaryCodeIndex::kMaxBits)

  // Appends n codes of `words` 64-bit words each (words == ceil(bits / 64); bits past `bits` zero).
  void append(const uint64_t* codes, size_t n, size_t words);
  size_t size() const { return n_; }
  size_t bits() const { return bits_; }
  size_t memory_bytes() const { return data_.capacity() * 8; }

  // Same contract and answer as hamming_smallest (binary_index.h) over the appended codes: the ids
  // of the `cap` codes nearest to q, ties to the lower id, in increasing (distance, id) order.
  // Uses wasm simd128 when that is the active level, the portable version otherwise.
  void smallest(const uint64_t* q, size_t cap, std::vector<int64_t>* out) const;
  // The portable version, whatever the level (for tests).
  void smallest_portable(const uint64_t* q, size_t cap, std::vector<int64_t>* out) const;

 private:
  size_t bits_ = 0, stride_ = 0, n_ = 0;
  // Block b (stride_ = (bits + kPopPlanes) * 2 words): plane k < bits holds bit k of its codes,
  // then kPopPlanes planes each code's popcount, bit-sliced; lane l in word l / 64, bit l % 64.
  std::vector<uint64_t, CacheAligned<uint64_t>> data_;
};

}  // namespace annlab
