#include "annlab/binary_io.h"

#include <gtest/gtest.h>

#include <string>

namespace annlab {
namespace {

TEST(Crc32, MatchesTheStandardCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xCBF43926u);
  EXPECT_EQ(crc32(nullptr, 0), 0u);
}

TEST(BinaryIo, RoundTripsValuesArraysAndStrings) {
  BinaryWriter w;
  w.put<uint32_t>(7);
  w.array(std::vector<float>{1.5f, -2.0f});
  w.string("LSH12x8");
  BinaryReader r(w.buffer().data(), w.size());
  uint32_t a = 0;
  std::vector<float> v;
  std::string s;
  ASSERT_TRUE(r.get(&a, "a").is_ok());
  ASSERT_TRUE(r.array(&v, "v", 100).is_ok());
  ASSERT_TRUE(r.string(&s, "s").is_ok());
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(v, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(s, "LSH12x8");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(BinaryIo, ShortReadsAndHugeCountsAreErrorsWithOffsets) {
  BinaryWriter w;
  w.put<uint64_t>(1000000);  // claims a million floats
  w.put<float>(1.0f);
  BinaryReader r(w.buffer().data(), w.size(), 100);
  std::vector<float> v;
  EXPECT_EQ(r.array(&v, "codes", 10).message(), "offset 100: codes: count 1000000 exceeds the limit 10");
  BinaryReader r2(w.buffer().data(), w.size(), 100);
  EXPECT_EQ(r2.array(&v, "codes", 1u << 30).message(),
            "offset 108: codes: truncated: 1000000 elements need 4000000 bytes, 4 left");
  BinaryReader r3(w.buffer().data(), 3);
  uint32_t x;
  EXPECT_EQ(r3.get(&x, "version").message(), "offset 0: truncated while reading version: need 4 bytes, 3 left");
}

}  // namespace
}  // namespace annlab
