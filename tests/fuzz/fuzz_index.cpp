// Fuzz target: index files. A file either loads into an index that searches without crashing and
// saves back to the same bytes (a file of an older format version: to a current file that itself
// loads and saves back to the same bytes), or is rejected with an error.
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
  if (!again.is_ok()) std::abort();
  if (size > 8 && data[8] < annlab::kIndexFormatVersion) {
    auto current = annlab::deserialize_index("again.annlab", again->data(), again->size());
    if (!current.is_ok() || annlab::serialize_index(*current.value()).value() != again.value()) std::abort();
  } else if (again.value() != std::vector<uint8_t>(data, data + size)) {
    std::abort();
  }
  if (ix.size() == 0 || !ix.is_trained()) return 0;
  std::vector<float> q(ix.dim(), 0.5f);
  annlab::SearchResult r;
  if (!ix.search(annlab::VectorView::of(q.data(), 1, ix.dim()), 1, {}, &r).is_ok()) std::abort();
  return 0;
}
