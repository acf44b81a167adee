// Fuzz target: factory strings. Parsing never crashes; a parsed spec describes itself back to a
// string that parses to the same spec; making an index from it either works or is an error.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "annlab/factory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string s(reinterpret_cast<const char*>(data), size);
  auto spec = annlab::parse_index_spec(s);
  if (!spec.is_ok()) return 0;
  auto again = annlab::parse_index_spec(spec->to_string());
  if (!again.is_ok() || !(again.value() == spec.value())) std::abort();
  auto index = annlab::make_index(spec.value(), 8, {});
  if (index.is_ok() && index.value()->describe() != spec->to_string()) std::abort();
  return 0;
}
