// Fuzz target: index files. A file either loads into an index that searches without crashing and
// saves back to the same bytes, or is rejected with an error.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "annlab/index_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto index = annlab::deserialize_index("fuzz.annlab", data, size);
  if (!index.is_ok()) return 0;
  annlab::Index& ix = *index.value();
  if (ix.dim() > 4096) return 0;
  const auto again = annlab::serialize_index(ix);
  if (!again.is_ok() || again.value() != std::vector<uint8_t>(data, data + size)) std::abort();
  if (ix.size() == 0 || !ix.is_trained()) return 0;
  std::vector<float> q(ix.dim(), 0.5f);
  annlab::SearchResult r;
  if (!ix.search(annlab::VectorView::of(q.data(), 1, ix.dim()), 1, {}, &r).is_ok()) std::abort();
  return 0;
}
