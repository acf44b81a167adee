#include "annlab/json.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace annlab {

namespace {

class Parser {
 public:
  Parser(const std::string& name, const std::string& s) : name_(name), s_(s) {}
  Result<Json> document() {
    Json v;
    ANNLAB_TRY(value(&v, 0));
    space();
    if (i_ != s_.size()) return error("unexpected text after the document");
    return v;
  }

 private:
  Status error(const std::string& what) const { return Status::error(cat(name_, ": offset ", i_, ": ", what)); }
  void space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  Status string(std::string* out) {
    if (i_ >= s_.size() || s_[i_] != '"') return error("expected a string");
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) break;
        const char e = s_[i_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;  // \" \\ \/ and the two the manifest could hold
      }
      *out += c;
    }
    if (i_ >= s_.size()) return error("unterminated string");
    ++i_;
    return Status::ok();
  }
  Status value(Json* v, int depth) {
    if (depth > 32) return error("nested too deeply");
    space();
    if (i_ >= s_.size()) return error("expected a value, found the end of the file");
    const char c = s_[i_];
    if (c == ']' || c == '}' || c == ',' || c == ':') return error(cat("expected a value, found '", c, "'"));
    if (c == '{') {
      v->kind = Json::Object;
      ++i_;
      space();
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, Status::ok();
      for (;;) {
        space();
        std::string key;
        ANNLAB_TRY(string(&key));
        space();
        if (i_ >= s_.size() || s_[i_] != ':') return error("expected ':'");
        ++i_;
        ANNLAB_TRY(value(&v->fields[key], depth + 1));
        space();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == '}') return ++i_, Status::ok();
        return error("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v->kind = Json::Array;
      ++i_;
      space();
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, Status::ok();
      for (;;) {
        v->items.emplace_back();
        ANNLAB_TRY(value(&v->items.back(), depth + 1));
        space();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == ']') return ++i_, Status::ok();
        return error("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v->kind = Json::String;
      return string(&v->text);
    }
    for (const char* word : {"true", "false", "null"})
      if (s_.compare(i_, std::char_traits<char>::length(word), word) == 0) {
        v->kind = word[0] == 'n' ? Json::Null : Json::Bool;
        v->number = word[0] == 't';
        i_ += std::char_traits<char>::length(word);
        return Status::ok();
      }
    const char* begin = s_.c_str() + i_;
    char* end = nullptr;
    v->number = std::strtod(begin, &end);
    if (end == begin) return error(cat("unexpected character '", c, "'"));
    v->kind = Json::Number;
    i_ += size_t(end - begin);
    return Status::ok();
  }
  const std::string& name_;
  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace

const Json* Json::get(std::string_view key) const {
  auto it = fields.find(std::string(key));
  return it == fields.end() ? nullptr : &it->second;
}

Result<Json> parse_json(const std::string& name, const std::string& text) {
  Parser p(name, text);
  return p.document();
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace annlab
