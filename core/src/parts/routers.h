// Private header (core/src/parts): the nearest-centroid cell router (annlab/router.h): k-means
// cells (10 iterations, as FAISS's IVF training), a vector goes to the cell of its nearest
// centroid, a query probes the cells of its nearest centroids by exact squared distance.
#pragma once

#include <memory>

#include "annlab/router.h"

namespace annlab {

std::unique_ptr<CellRouter> make_centroid_router(size_t d, size_t nlist);

}  // namespace annlab
