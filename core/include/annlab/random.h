// annlab/random.h — the project's seeded random generator.
//
// Every random draw in annlab comes from Rng. The engine is std::mt19937_64 (its output is fixed
// by the C++ standard); the distributions are annlab's own, written with operations that round
// identically everywhere (no libm transcendental calls), so one seed gives bit-identical draws in
// the native and the WebAssembly builds. std:: distributions are not used: they differ between
// libstdc++ and libc++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "annlab/status.h"
#include <utility>
#include <vector>

namespace annlab {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t next_u64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), unbiased (rejection sampling); n must be > 0.
  uint64_t below(uint64_t n);
  // Standard normal (Marsaglia's polar method with annlab's deterministic log).
  double normal();
  // Fisher-Yates shuffle.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Natural logarithm computed with +, -, *, / only, so it rounds identically in every build.
// Relative error below 1e-15 for finite x > 0. Used by Rng::normal.
double deterministic_log(double x);

}  // namespace annlab
