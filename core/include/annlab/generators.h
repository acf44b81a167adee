// annlab/generators.h — synthetic data sets, seeded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab {

// n points around `centers` Gaussian blobs in d dimensions: centres uniform in [-box, box]^d,
// points centre + spread * N(0, I). Labels are the blob of each point.
Result<Dataset> make_gaussian_blobs(size_t n, size_t d, size_t centers, double spread, uint64_t seed,
                                    double box = 10.0);
// n points uniform in [lo, hi)^d.
Result<Dataset> make_uniform(size_t n, size_t d, uint64_t seed, double lo = 0.0, double hi = 1.0);

}  // namespace annlab
