#include "annlab/distance.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>
#include <limits>

#include "annlab/random.h"
#include "kernels/distance_impl.h"
#include "test_util.h"

namespace annlab {
namespace {

class EveryLevel : public ::testing::TestWithParam<SimdLevel> {};

std::vector<SimdLevel> levels() { return supported_simd_levels(); }

TEST_P(EveryLevel, FloatKernelsAreBitIdenticalToScalarForDimensions1To33AndMore) {
  const Kernels* k = kernels_for(GetParam());
  const Kernels* ref = kernels_for(SimdLevel::Scalar);
  ASSERT_NE(k, nullptr);
  for (size_t d : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 784, 1000}) {
    const auto a = test::random_floats(1, d, 10 + d), b = test::random_floats(1, d, 20 + d);
    const float l2 = k->l2sq_f32(a.data(), b.data(), d), l2r = ref->l2sq_f32(a.data(), b.data(), d);
    const float ip = k->ip_f32(a.data(), b.data(), d), ipr = ref->ip_f32(a.data(), b.data(), d);
    EXPECT_EQ(0, std::memcmp(&l2, &l2r, 4)) << "d=" << d << " " << l2 << " vs " << l2r;
    EXPECT_EQ(0, std::memcmp(&ip, &ipr, 4)) << "d=" << d << " " << ip << " vs " << ipr;
  }
}


// The rows and pairs kernels give each row (pair) the one-row kernel's float, bit for bit (and so the scalar
// reference's): every dimension through two blocks of 32, row counts around the groups of four,
// rows with zeros and signed zeros, and a query that is not aligned to the rows.
TEST_P(EveryLevel, RowsAndPairsKernelsEqualTheOneRowKernelBitForBit) {
  const Kernels* k = kernels_for(GetParam());
  const Kernels* ref = kernels_for(SimdLevel::Scalar);
  size_t failures = 0;
  for (size_t d = 1; d <= 70; ++d)
    for (size_t n : {0, 1, 3, 4, 5, 8, 11, 256}) {
      std::vector<float> x = test::random_floats(n, d, 1000 * d + n, false, -3, 3);
      const std::vector<float> q0 = test::random_floats(1, d + 1, 7 * d + n, false, -3, 3);
      const float* q = q0.data() + 1;
      for (size_t i = 0; i < n; i += 3) x[i * d] = (i % 2) ? -0.0f : 0.0f;
      std::vector<float> l2(n + 1, -1.0f), ip(n + 1, -1.0f);
      k->l2sq_f32_rows(q, x.data(), n, d, l2.data());
      k->ip_f32_rows(q, x.data(), n, d, ip.data());
      // Pairs: row t of x against row (t * 7 + 3) % 5 of q0's rows (x's rows reversed as the "y").
      std::vector<uint32_t> pi(n), pj(n);
      for (size_t t = 0; t < n; ++t) pi[t] = uint32_t(n - 1 - t), pj[t] = uint32_t((t * 7 + 3) % n);
      std::vector<float> pairs(n + 1, -1.0f);
      k->l2sq_f32_pairs(x.data(), x.data(), pi.data(), pj.data(), n, d, pairs.data());
      EXPECT_EQ(l2[n], -1.0f) << "wrote past n";
      EXPECT_EQ(ip[n], -1.0f) << "wrote past n";
      EXPECT_EQ(pairs[n], -1.0f) << "wrote past n";
      for (size_t i = 0; i < n; ++i) {
        const float a = ref->l2sq_f32(q, x.data() + i * d, d), b = ref->ip_f32(q, x.data() + i * d, d);
        const float c = ref->l2sq_f32(x.data() + pi[i] * d, x.data() + pj[i] * d, d);
        failures += std::memcmp(&a, &l2[i], 4) != 0;
        failures += std::memcmp(&b, &ip[i], 4) != 0;
        failures += std::memcmp(&c, &pairs[i], 4) != 0;
        if (failures && failures < 4) ADD_FAILURE() << "d=" << d << " n=" << n << " row " << i;
      }
    }
  EXPECT_EQ(failures, 0u);
}
// The bounded byte distance: the exact distance at and below the bound, a value above it otherwise,
// for every length through several 128-byte chunks, in turn, reversed and by byte_chunk_order, for
// bounds just below, at and above the distance, and rows far apart (the sum passes the bound in
// the first chunk) or equal but for the last byte.
TEST_P(EveryLevel, BoundedByteDistanceIsExactUpToTheBoundAndAboveItOtherwise) {
  const Kernels* k = kernels_for(GetParam());
  const Kernels* ref = kernels_for(SimdLevel::Scalar);
  size_t failures = 0, stopped_early = 0;
  for (size_t d : {1, 15, 16, 17, 127, 128, 129, 255, 256, 257, 300, 784, 1000}) {
    std::vector<uint8_t> a(d + 1), b(d + 1), near(d + 1);
    uint64_t s = 0x9e3779b97f4a7c15ULL * (d + 1);
    for (size_t j = 0; j <= d; ++j) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      a[j] = uint8_t(s >> 56), b[j] = uint8_t(s >> 40);
    }
    near = a;
    near[d - 1] = uint8_t(a[d - 1] ^ 0x80);
    std::vector<uint16_t> reversed((d + 127) / 128), by_energy;
    for (size_t t = 0; t < reversed.size(); ++t) reversed[t] = uint16_t(reversed.size() - 1 - t);
    byte_chunk_order(a.data(), d, &by_energy);
    for (const uint16_t* order : std::vector<const uint16_t*>{nullptr, reversed.data(), by_energy.data()})
      for (const uint8_t* y : {b.data() + 1, near.data()}) {
        const uint32_t full = ref->l2sq_u8(a.data(), y, d);
        for (uint32_t bound : {0u, full / 3, full - 1, full, full + 1, UINT32_MAX}) {
          if (full == 0 && bound == full - 1) continue;
          const uint32_t got = k->l2sq_u8_below(a.data(), y, d, order, bound);
          const bool ok = full <= bound ? got == full : got > bound;
          failures += !ok;
          stopped_early += full > bound && got < full;
          if (!ok && failures < 4) ADD_FAILURE() << "d=" << d << " bound " << bound << ": " << got << " (full " << full << ")";
        }
      }
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(stopped_early, 10u) << "the bound never cut a sum short";
}

// The one-query scan: the first row within the bound and its exact distance (n when none), for row
// counts around the 4 rows fetched ahead, bounds that let the first row, a middle one or none in.
TEST_P(EveryLevel, FirstRowWithinTheBoundAndItsDistance) {
  const Kernels* k = kernels_for(GetParam());
  const Kernels* ref = kernels_for(SimdLevel::Scalar);
  const size_t d = 300;
  const auto x = test::random_bytes(40, d, 31), q = test::random_bytes(1, d, 32);
  std::vector<uint16_t> order;
  byte_chunk_order(q.data(), d, &order);
  std::vector<float> qn(3), xn(40 * 3);
  byte_chunk_norms(q.data(), 1, d, qn.data());
  byte_chunk_norms(x.data(), 40, d, xn.data());
  std::vector<uint32_t> full(40);
  for (size_t i = 0; i < 40; ++i) full[i] = ref->l2sq_u8(q.data(), x.data() + i * d, d);
  const uint32_t least = *std::min_element(full.begin(), full.end());
  for (size_t n : {0, 1, 3, 4, 5, 9, 40})
    for (uint32_t bound : {0u, least - 1, least, least + 1, full[0], UINT32_MAX}) {
      size_t want = n;
      for (size_t i = 0; i < n && want == n; ++i)
        if (full[i] <= bound) want = i;
      for (const bool norms : {false, true}) {  // the norm bound passes over rows, never a row within the bound
        uint32_t dist = 12345;
        const size_t got = k->l2sq_u8_first_below(q.data(), x.data(), n, d, order.data(), norms ? qn.data() : nullptr,
                                                  norms ? xn.data() : nullptr, bound, &dist);
        EXPECT_EQ(got, want) << "n=" << n << " bound " << bound << " norms " << norms;
        EXPECT_EQ(dist, want < n ? full[want] : 12345u) << "n=" << n << " bound " << bound << " norms " << norms;
      }
    }
}

// Rows whose distance equals its norm bound (every chunk of the row and of the query constant, so
// |q_c - x_c| = ||q_c| - |x_c||): the float bound, rounded, can come out above the distance, and the
// margin must keep a row at the bound from being passed over. Large values and many chunks (d = 4096)
// make the rounding largest; bounds at each row's distance and one below it.
TEST_P(EveryLevel, TheNormBoundNeverPassesOverARowWithinTheBound) {
  const Kernels* k = kernels_for(GetParam());
  for (size_t d : {300, 4096}) {
    const size_t chunks = (d + 127) / 128, n = 64;
    std::vector<uint8_t> q(d), x(n * d);
    for (size_t j = 0; j < d; ++j) q[j] = uint8_t(255 - 7 * (j / 128) % 200);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < d; ++j) x[i * d + j] = uint8_t(int(q[j]) - int((i * 37 + (j / 128) * 11) % 97) - 1);
    std::vector<float> qn(chunks), xn(n * chunks);
    byte_chunk_norms(q.data(), 1, d, qn.data());
    byte_chunk_norms(x.data(), n, d, xn.data());
    std::vector<uint16_t> order;
    byte_chunk_order(q.data(), d, &order);
    size_t passed = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t di = kernels_for(SimdLevel::Scalar)->l2sq_u8(q.data(), x.data() + i * d, d);
      for (const uint32_t bound : {di, di - 1}) {
        uint32_t dist = 0;
        const size_t got = k->l2sq_u8_first_below(q.data(), x.data() + i * d, 1, d, order.data(), qn.data(),
                                                  xn.data() + i * chunks, bound, &dist);
        EXPECT_EQ(got, bound == di ? 0u : 1u) << "d=" << d << " row " << i << " bound " << bound;
        if (got == 0) { EXPECT_EQ(dist, di); }
        passed += got == 1;
      }
    }
    EXPECT_EQ(passed, n);
  }
}

// The scan trusts the norms it is given: a row whose norms say it is far (here they lie) is passed
// over without being read, although its bytes equal the query's.
TEST_P(EveryLevel, ARowWhoseNormBoundIsBeyondTheBoundIsNotRead) {
  const Kernels* k = kernels_for(GetParam());
  const size_t d = 300, chunks = 3;
  const auto q = test::random_bytes(1, d, 5);
  std::vector<uint8_t> x(2 * d);
  std::copy(q.begin(), q.end(), x.begin());
  std::copy(q.begin(), q.end(), x.begin() + d);
  std::vector<float> qn(chunks), xn(2 * chunks);
  byte_chunk_norms(q.data(), 1, d, qn.data());
  byte_chunk_norms(x.data(), 2, d, xn.data());
  xn[0] += 1000;  // row 0: bound (1000)^2 > 100
  uint32_t dist = 7;
  EXPECT_EQ(k->l2sq_u8_first_below(q.data(), x.data(), 2, d, nullptr, qn.data(), xn.data(), 100, &dist), 1u);
  EXPECT_EQ(dist, 0u);
  EXPECT_EQ(k->l2sq_u8_first_below(q.data(), x.data(), 2, d, nullptr, nullptr, nullptr, 100, &dist), 0u);
}

// The margin: above the bound by more than 4 per chunk, and by a relative amount growing with chunks.
TEST(PruneLimit, AboveTheBoundByTheRoundingMargin) {
  EXPECT_GE(prune_limit(0, 1), 8.0f);
  EXPECT_GE(double(prune_limit(1000000, 7)), (1000000.0 + 32) * (1 + 11 * 0x1p-21));
  EXPECT_GE(double(prune_limit(UINT32_MAX, 8192)), double(UINT32_MAX));
  EXPECT_LT(double(prune_limit(1000000, 7)), 1000000.0 * 1.0001);
}

// byte_chunk_norms: the root of each 128-byte chunk's sum of squares, the last chunk short.
TEST(ByteChunkNorms, RootOfEachChunksSumOfSquares) {
  std::vector<uint8_t> x(2 * 130, 0);
  x[0] = 3, x[1] = 4, x[129] = 12;           // row 0: chunk 0 = 5, chunk 1 = 12
  x[130 + 127] = 255, x[130 + 128] = 1;      // row 1: 255, 1
  std::vector<float> out(4);
  byte_chunk_norms(x.data(), 2, 130, out.data());
  EXPECT_EQ(out, (std::vector<float>{5, 12, 255, 1}));
}

// byte_chunk_order: a permutation of the chunks, by decreasing sum of squares, ties by position.
TEST(ByteChunkOrder, ChunksByDecreasingEnergyTiesInPosition) {
  std::vector<uint8_t> q(300, 0);  // chunks [0,128) [128,256) [256,300)
  q[260] = 20;                     // chunk 2: 400
  q[5] = 10, q[6] = 10;            // chunk 0: 200
  std::vector<uint16_t> order;
  byte_chunk_order(q.data(), q.size(), &order);
  EXPECT_EQ(order, (std::vector<uint16_t>{2, 0, 1}));
  q[260] = 0;
  byte_chunk_order(q.data(), q.size(), &order);
  EXPECT_EQ(order, (std::vector<uint16_t>{0, 1, 2}));
  byte_chunk_order(q.data(), 0, &order);
  EXPECT_TRUE(order.empty());
}

// l2sq_u8_below reads the chunks in the order given and stops at the first partial sum above the
// bound: rows 0 apart but for chunk 0 (100) and chunk 2 (400), bound 50.
TEST_P(EveryLevel, BoundedByteDistanceStopsAtTheFirstChunkInItsOrderThatPassesTheBound) {
  const Kernels* k = kernels_for(GetParam());
  std::vector<uint8_t> a(300, 0), y(300, 0);
  y[260] = 20, y[5] = 10;
  const std::vector<uint16_t> last_first{2, 0, 1}, middle_first{1, 0, 2};
  EXPECT_EQ(k->l2sq_u8_below(a.data(), y.data(), 300, last_first.data(), 50), 400u);
  EXPECT_EQ(k->l2sq_u8_below(a.data(), y.data(), 300, nullptr, 50), 100u);
  EXPECT_EQ(k->l2sq_u8_below(a.data(), y.data(), 300, middle_first.data(), 50), 100u);
  EXPECT_EQ(k->l2sq_u8_below(a.data(), y.data(), 300, last_first.data(), 500), 500u);
}

TEST_P(EveryLevel, FloatKernelsAreExactOnIntegerValuedInputs) {
  const Kernels* k = kernels_for(GetParam());
  for (size_t d = 1; d <= 33; ++d) {
    const auto a = test::random_floats(1, d, d, true, -20, 20), b = test::random_floats(1, d, 100 + d, true, -20, 20);
    double l2 = 0, ip = 0;
    for (size_t j = 0; j < d; ++j) {
      l2 += double(a[j] - b[j]) * double(a[j] - b[j]);
      ip += double(a[j]) * double(b[j]);
    }
    EXPECT_EQ(k->l2sq_f32(a.data(), b.data(), d), float(l2)) << "d=" << d;
    EXPECT_EQ(k->ip_f32(a.data(), b.data(), d), float(ip)) << "d=" << d;
  }
}

TEST_P(EveryLevel, ByteKernelsEqualAPlainLoop) {
  const Kernels* k = kernels_for(GetParam());
  for (size_t d : {1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 48, 49, 784, 4096}) {
    const auto a = test::random_bytes(1, d, d), b = test::random_bytes(1, d, 7 * d);
    uint64_t l2 = 0, ip = 0;
    for (size_t j = 0; j < d; ++j) {
      l2 += uint64_t((int(a[j]) - int(b[j])) * (int(a[j]) - int(b[j])));
      ip += uint64_t(a[j]) * b[j];
    }
    EXPECT_EQ(k->l2sq_u8(a.data(), b.data(), d), l2) << "d=" << d;
    EXPECT_EQ(k->ip_u8(a.data(), b.data(), d), ip) << "d=" << d;
  }
}

TEST_P(EveryLevel, ByteKernelsAtTheExtremes) {
  const Kernels* k = kernels_for(GetParam());
  const size_t d = 65000;  // near the documented limit: 65000 * 255^2 < 2^32
  std::vector<uint8_t> zeros(d, 0), full(d, 255);
  EXPECT_EQ(k->l2sq_u8(zeros.data(), full.data(), d), uint32_t(d) * 65025u);
  EXPECT_EQ(k->ip_u8(full.data(), full.data(), d), uint32_t(d) * 65025u);
  EXPECT_EQ(k->l2sq_u8(full.data(), full.data(), d), 0u);
}

// Every code length from 1 to 40 words (odd ones included) and the 1024-bit maximum and beyond
// the 31-block byte accumulator of simd128 (70 words), against a bit-by-bit count.
TEST_P(EveryLevel, HammingKernelsEqualABitByBitCount) {
  const Kernels* k = kernels_for(GetParam());
  Rng rng(3);
  for (size_t words = 1; words <= 70; ++words) {
   for (size_t n : {2, 3, 4, 5, 7, 8, 10, 11, 13, 20, 29})  // whole steps of codes and every tail
   for (size_t z = n > 2 ? 2 : 0; z < n; ++z) {
    std::vector<uint64_t> q(words), codes(n * words);
    for (auto& w : q) w = rng.next_u64();
    for (auto& w : codes) w = rng.next_u64();
    // Near and far extremes too: the nearest code (equal to q) at every position z in turn, so that
    // each part of a kernel's minimum is checked.
    std::copy_n(q.begin(), words, codes.begin() + long(z * words));
    for (size_t j = 0; j < words; ++j) codes[words + j] = ~q[j];
    std::vector<uint32_t> out(n);
    const uint32_t least = k->hamming_scan(q.data(), codes.data(), n, words, out.data());
    for (size_t i = 0; i < n; ++i) {
      uint32_t ref = 0;
      for (size_t j = 0; j < words; ++j)
        for (int b = 0; b < 64; ++b) ref += uint32_t(((q[j] >> b) & 1) != ((codes[i * words + j] >> b) & 1));
      EXPECT_EQ(out[i], ref) << "words=" << words << " code " << i;
      EXPECT_EQ(k->hamming(q.data(), codes.data() + i * words, words), ref) << "words=" << words;
    }
    EXPECT_EQ(least, *std::min_element(out.begin(), out.end())) << "words=" << words << " n=" << n;
    EXPECT_EQ(out[1], 64 * words);
   }
  }
}

TEST_P(EveryLevel, IntegerProductsEqualAPlainLoop) {
  // The block product (tiles of several rows of q) and the rows product (one row of q at a time)
  // against int64 sums, for tile edges on both sides and the extremes of int16 times a byte.
  const detail::IntBlockProduct block = detail::int_block_product(GetParam()), rows = detail::int_rows_product(GetParam());
  Rng rng(3);
  for (size_t dp : {16, 48, 784}) {
    for (size_t nq : {1, 2, 5, 9}) {
      for (size_t nx : {1, 5, 6, 7, 13, 128}) {
        std::vector<int16_t> q(nq * dp), x(nx * dp);
        for (auto& v : q) v = int16_t(rng.below(256));
        for (auto& v : x) v = int16_t(int(rng.below(2 * 2600 + 1)) - 2600);
        if (dp == 784) std::fill_n(q.begin(), dp, int16_t(255)), std::fill_n(x.begin(), dp, int16_t(-2600));
        std::vector<int32_t> a(nq * nx), b(nq * nx);
        block(q.data(), nq, x.data(), nx, dp, a.data());
        rows(q.data(), nq, x.data(), nx, dp, b.data());
        for (size_t i = 0; i < nq; ++i)
          for (size_t j = 0; j < nx; ++j) {
            int64_t s = 0;
            for (size_t t = 0; t < dp; ++t) s += int64_t(q[i * dp + t]) * x[j * dp + t];
            ASSERT_EQ(a[i * nx + j], s) << "block dp " << dp << " nq " << nq << " nx " << nx << " at " << i << "," << j;
            ASSERT_EQ(b[i * nx + j], s) << "rows dp " << dp << " nq " << nq << " nx " << nx << " at " << i << "," << j;
          }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, EveryLevel, ::testing::ValuesIn(levels()),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

TEST(SimdDispatch, ReportsAndForcesTheLevel) {
  const SimdLevel before = simd_level();
  EXPECT_EQ(before, best_simd_level());
  ASSERT_TRUE(set_simd_level(SimdLevel::Scalar).is_ok());
  EXPECT_EQ(simd_level(), SimdLevel::Scalar);
  EXPECT_EQ(&kernels(), kernels_for(SimdLevel::Scalar));
  ASSERT_TRUE(set_simd_level(before).is_ok());
#if defined(__EMSCRIPTEN__)
  EXPECT_EQ(best_simd_level(), SimdLevel::WasmSimd128);
  const Status st = set_simd_level(SimdLevel::AVX2);
  EXPECT_EQ(st.message(), "SIMD level 'avx2' is not available in this build on this CPU");
  EXPECT_EQ(set_simd_level(SimdLevel::AVX512).message(), "SIMD level 'avx512' is not available in this build on this CPU");
#else
  const Status st = set_simd_level(SimdLevel::WasmSimd128);
  EXPECT_EQ(st.message(), "SIMD level 'simd128' is not available in this build on this CPU");
#endif
  EXPECT_EQ(simd_level(), before);
}

TEST(SimdDispatch, ParsesLevelNames) {
  EXPECT_EQ(parse_simd_level("scalar").value(), SimdLevel::Scalar);
  EXPECT_EQ(parse_simd_level("avx2").value(), SimdLevel::AVX2);
  EXPECT_EQ(parse_simd_level("avx512").value(), SimdLevel::AVX512);
  EXPECT_EQ(parse_simd_level("simd128").value(), SimdLevel::WasmSimd128);
  EXPECT_EQ(parse_simd_level("sse9").message(), "unknown SIMD level 'sse9': expected scalar, avx2, avx512 or simd128");
}


// k-means' candidate filter: the minimum and the indices at or below a limit, against plain loops,
// for every length around the 4- and 8-wide steps, with ties and the limit equal to values.
TEST(CandidateFilter, MinAndIndicesAtMostEqualPlainLoops) {
  for (size_t n = 0; n <= 37; ++n) {
    auto a = test::random_floats(n, 1, 40 + n, true, -5, 5);  // small integers: many ties
    const float m = detail::min_f32(a.data(), n);
    float ref = std::numeric_limits<float>::infinity();
    for (float v : a) ref = std::min(ref, v);
    EXPECT_EQ(m, ref) << "n " << n;
    for (const float limit : {-6.0f, -5.0f, 0.0f, 2.5f, 5.0f}) {
      std::vector<uint32_t> got(n + 1), want;
      got.resize(detail::indices_at_most(a.data(), n, limit, got.data()));
      for (size_t j = 0; j < n; ++j)
        if (a[j] <= limit) want.push_back(uint32_t(j));
      EXPECT_EQ(got, want) << "n " << n << " limit " << limit;
    }
  }
}

}  // namespace
}  // namespace annlab
