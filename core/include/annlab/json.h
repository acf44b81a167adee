// annlab/json.h — a small JSON reader for annlab's own files (the asset manifest, model
// manifests): objects, arrays, strings, numbers, booleans, null. Errors name the offset.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/status.h"

namespace annlab {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;
  // The member `key` of an object, or nullptr.
  const Json* get(std::string_view key) const;
};

// Parses a whole document; `name` is for messages ("m.json: offset 20: expected a value, found '}'").
Result<Json> parse_json(const std::string& name, const std::string& text);
// A string as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace annlab
