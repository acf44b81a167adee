// Fuzz target: .ivecs as ids (ground truth) and as vectors.
#include <cstdint>
#include <cstdlib>

#include "annlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = annlab::parse_ivecs("fuzz.ivecs", data, size);
  if (m.is_ok()) {
    if (m->v.size() != m->n * m->d) std::abort();
    const auto bytes = annlab::to_ivecs(m.value());
    if (bytes.size() != size) std::abort();  // ivecs is canonical: the same bytes come back
  }
  auto ds = annlab::parse_ivecs_vectors("fuzz.ivecs", data, size);
  if (ds.is_ok() && !ds->validate().is_ok()) std::abort();
  return 0;
}
