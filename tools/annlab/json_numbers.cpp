#include "json_numbers.h"

#include <cstdlib>
#include <string>

namespace annlab::cli {

namespace {

struct Cursor {
  std::string_view name, s;
  size_t p = 0;
  void ws() {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
  }
  Status expected(std::string_view what) const {
    return Status::error(cat(name, ": offset ", p, ": expected ", what, ", found ",
                             p < s.size() ? cat("'", s[p], "'") : std::string("the end of the file")));
  }
  Status number(double* out) {
    ws();
    size_t e = p;
    while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) || s[e] == '-' || s[e] == '+' ||
                            s[e] == '.' || s[e] == 'e' || s[e] == 'E'))
      ++e;
    if (e == p) return expected("a number");
    const std::string tok(s.substr(p, e - p));
    char* end = nullptr;
    *out = std::strtod(tok.c_str(), &end);
    if (end != tok.c_str() + tok.size()) return expected("a number");
    p = e;
    return Status::ok();
  }
  // [n, n, ...]
  Status numbers(std::vector<double>* out) {
    ws();
    if (p >= s.size() || s[p] != '[') return expected("'['");
    ++p;
    ws();
    if (p < s.size() && s[p] == ']') {
      ++p;
      return Status::ok();
    }
    while (true) {
      double v = 0;
      ANNLAB_TRY(number(&v));
      out->push_back(v);
      ws();
      if (p < s.size() && s[p] == ',') { ++p; continue; }
      if (p < s.size() && s[p] == ']') { ++p; return Status::ok(); }
      return expected("',' or ']'");
    }
  }
};

}  // namespace

Result<NumberArrays> read_number_arrays(std::string_view name, std::string_view text, std::string_view key) {
  Cursor c{name, text};
  const std::string quoted = cat('"', key, '"');
  const size_t at = text.find(quoted);
  if (at == std::string_view::npos) return Status::error(cat(name, ": no key ", quoted));
  c.p = at + quoted.size();
  c.ws();
  if (c.p >= text.size() || text[c.p] != ':') return c.expected("':'");
  ++c.p;
  c.ws();
  if (c.p >= text.size() || text[c.p] != '[') return c.expected("'['");
  NumberArrays out;
  size_t look = c.p + 1;
  while (look < text.size() && (text[look] == ' ' || text[look] == '\n' || text[look] == '\r' || text[look] == '\t')) ++look;
  if (look < text.size() && text[look] == '[') {  // array of arrays
    c.p += 1;
    while (true) {
      out.rows.emplace_back();
      ANNLAB_TRY(c.numbers(&out.rows.back()));
      c.ws();
      if (c.p < text.size() && text[c.p] == ',') { ++c.p; continue; }
      if (c.p < text.size() && text[c.p] == ']') { ++c.p; break; }
      return c.expected("',' or ']'");
    }
  } else {
    ANNLAB_TRY(c.numbers(&out.flat));
  }
  return out;
}

}  // namespace annlab::cli
