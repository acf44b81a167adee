#include "annlab/random.h"

#include <cmath>

namespace annlab {

uint64_t Rng::below(uint64_t n) {
  ANNLAB_ASSERT(n > 0);
  // Reject the top sliver so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do { x = engine_(); } while (x >= limit);
  return x % n;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  // sqrt is correctly rounded by IEEE 754, so this is identical in every build.
  const double f = std::sqrt(-2.0 * deterministic_log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

double deterministic_log(double x) {
  ANNLAB_ASSERT(x > 0.0 && std::isfinite(x));
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1): exact
  if (m < 0.70710678118654752) {  // move m into [sqrt(1/2), sqrt(2))
    m *= 2.0;
    e -= 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the series converges fast.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double term = s, sum = 0.0;
  for (int k = 1; k <= 41; k += 2) {
    sum += term / k;
    term *= s2;
  }
  constexpr double kLn2 = 0.69314718055994530942;
  return 2.0 * sum + e * kLn2;
}

}  // namespace annlab
