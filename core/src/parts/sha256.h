// Private header (core/src): SHA-256 (FIPS 180-4), to name the base vectors an index file refers to.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace annlab::detail {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::array<uint8_t, 32> digest();  // ends the hash
  static std::string hex(const std::array<uint8_t, 32>& d);

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t fill_ = 0;
  uint64_t bits_ = 0;
};

}  // namespace annlab::detail
