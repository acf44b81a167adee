// The bit-sliced Hamming ranking (the WebAssembly build's) against the fused popcount scan.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/distance.h"
#include "index/binary_index.h"
#include "parts/bit_planes.h"
#include "annlab/random.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::build;

// The bit-sliced ranking (what the WebAssembly build's ITQ / SimHash search runs) gives exactly the
// fused scan's answer: 1 to 1,024 bits (partial steps of 4 planes, every counter width), dense and
// sparse codes (so both the query's set bits and their complement get summed), blocks of 128 codes
// cut anywhere and appended in two parts, caps from 1 to past n, many ties.
TEST(BitPlanes, SmallestEqualsTheFusedScan) {
  Rng rng(21);
  for (size_t bits : {1, 7, 32, 64, 100, 128, 200, 1024}) {
    const size_t words = (bits + 63) / 64;
    const uint64_t last_mask = bits % 64 ? (uint64_t{1} << (bits % 64)) - 1 : ~uint64_t{0};
    for (size_t n : {1, 127, 128, 129, 1000, 3000}) {
      for (uint64_t density : {uint64_t{0x0F0F0F0F0F0F0F0F}, ~uint64_t{0}}) {
        auto draw = [&](uint64_t* c) {
          for (size_t w = 0; w < words; ++w) c[w] = rng.next_u64() & density & (w + 1 == words ? last_mask : ~uint64_t{0});
        };
        std::vector<uint64_t> codes(n * words), q(words);
        for (size_t i = 0; i < n; ++i) draw(codes.data() + i * words);
        draw(q.data());
        // Appended in two parts, the first ending inside a block.
        BitPlanes planes(bits);
        const size_t first = n / 3;
        planes.append(codes.data(), first, words);
        planes.append(codes.data() + first * words, n - first, words);
        ASSERT_EQ(planes.size(), n);
        for (size_t cap : {size_t{1}, size_t{10}, size_t{130}, n, n + 5}) {
          std::vector<int64_t> fused, sliced, portable;
          hamming_smallest(q.data(), codes.data(), n, words, cap, &fused);
          planes.smallest(q.data(), cap, &sliced);
          planes.smallest_portable(q.data(), cap, &portable);
          EXPECT_EQ(sliced, fused) << "bits=" << bits << " n=" << n << " cap=" << cap;
          EXPECT_EQ(portable, fused) << "bits=" << bits << " n=" << n << " cap=" << cap;
        }
      }
    }
  }
}

}  // namespace
}  // namespace annlab
