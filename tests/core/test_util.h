// Helpers shared by the core tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/random.h"

namespace annlab::test {

// n x d floats uniform in [-1, 1), or integer-valued in [lo, hi] when `integers`.
inline std::vector<float> random_floats(size_t n, size_t d, uint64_t seed, bool integers = false, int lo = 0,
                                        int hi = 255) {
  Rng rng(seed);
  std::vector<float> x(n * d);
  for (float& v : x)
    v = integers ? float(lo + int64_t(rng.below(uint64_t(hi - lo + 1)))) : float(rng.uniform(-1.0, 1.0));
  return x;
}

inline std::vector<uint8_t> random_bytes(size_t n, size_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> x(n * d);
  for (uint8_t& v : x) v = uint8_t(rng.below(256));
  return x;
}

// Exact k nearest by a plain loop in double precision: (distance, id), nearest first, ties by id.
inline std::vector<std::pair<double, int64_t>> brute_force(const VectorView& base, const float* q, size_t k) {
  std::vector<std::pair<double, int64_t>> all;
  for (size_t i = 0; i < base.n; ++i) {
    double s = 0;
    for (size_t j = 0; j < base.d; ++j) {
      const double t = double(base.at(i, j)) - double(q[j]);
      s += t * t;
    }
    all.push_back({s, int64_t(i)});
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, all.size()));
  return all;
}

// A file name in the temp folder unique to the running test (parameterised names hold '/').
inline std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string stem = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : stem)
    if (c == '/') c = '_';
  return ::testing::TempDir() + "annlab_" + stem + "_" + name;
}

inline std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

}  // namespace annlab::test
