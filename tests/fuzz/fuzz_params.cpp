// Fuzz target: CLI parameter strings ("name=value"). Never crashes; an accepted assignment shows up
// in the structs it belongs to.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "annlab/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string s(reinterpret_cast<const char*>(data), size);
  annlab::BuildParams b;
  annlab::SearchParams p;
  const annlab::Status st = annlab::apply_param(s, &b, &p);
  if (st.is_ok() && b.names_set().empty() && p.names_set().empty() && s.rfind("seed=", 0) != 0) std::abort();
  if (!st.is_ok() && st.message().empty()) std::abort();
  return 0;
}
