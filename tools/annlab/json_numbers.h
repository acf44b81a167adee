// Private header (tools/annlab): reads the number arrays of the npm data packages' JSON files
// ({"data": [[...], ...]} or {"data": [...]}) with errors that give the byte offset.
#pragma once

#include <string_view>
#include <vector>

#include "annlab/status.h"

namespace annlab::cli {

// The value of the top-level key `key`: a flat array of numbers (rows empty) or an array of
// arrays of numbers (one row per inner array; `flat` empty).
struct NumberArrays {
  std::vector<double> flat;
  std::vector<std::vector<double>> rows;
};
Result<NumberArrays> read_number_arrays(std::string_view name, std::string_view text, std::string_view key);

}  // namespace annlab::cli
