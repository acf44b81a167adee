// Fuzz target: the .alds parser. Any input must give a dataset or an error, never a crash; a dataset
// must be consistent, and (written back as .alds) read back unchanged.
#include <cstdint>
#include <cstdlib>

#include "annlab/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ds = annlab::parse_alds("fuzz.alds", data, size);
  if (!ds.is_ok()) return 0;
  if (!ds->validate().is_ok()) std::abort();
  const auto bytes = annlab::to_alds(ds.value());
  auto back = annlab::parse_alds("fuzz.alds", bytes.data(), bytes.size());
  if (!back.is_ok() || back->n != ds->n || back->d != ds->d || back->f32 != ds->f32 || back->u8 != ds->u8) std::abort();
  return 0;
}
