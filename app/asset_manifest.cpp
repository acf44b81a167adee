#include "asset_manifest.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>

namespace annlab::app {

namespace {

// A JSON value: just what the manifest uses (objects, arrays, strings, numbers, booleans, null).
struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;
};

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

std::string text_of(const Json& o, const char* key) {
  auto it = o.fields.find(key);
  return it != o.fields.end() && it->second.kind == Json::String ? it->second.text : std::string();
}

std::vector<std::string> list_of(const Json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.fields.find(key);
  if (it != o.fields.end())
    for (const Json& j : it->second.items)
      if (j.kind == Json::String) out.push_back(j.text);
  return out;
}

}  // namespace

const AssetDataset* AssetManifest::find(const std::string& id) const {
  for (const AssetDataset& d : datasets)
    if (d.id == id) return &d;
  return nullptr;
}

Result<AssetManifest> parse_asset_manifest(const std::string& name, const std::string& text) {
  Parser p(name, text);
  ANNLAB_ASSIGN_OR_RETURN(Json doc, p.document());
  if (doc.kind != Json::Object) return Status::error(cat(name, ": expected a JSON object"));
  AssetManifest m;
  m.version = text_of(doc, "version");
  auto ds = doc.fields.find("datasets");
  if (ds == doc.fields.end() || ds->second.kind != Json::Object)
    return Status::error(cat(name, ": no \"datasets\" object (written by an older annlab prepare-assets: run scripts/setup)"));
  for (const auto& [id, o] : ds->second.fields) {
    AssetDataset d;
    d.id = id;
    d.label = text_of(o, "label");
    d.base = text_of(o, "base");
    d.query = text_of(o, "query");
    d.base_xy = text_of(o, "base_xy");
    d.query_xy = text_of(o, "query_xy");
    d.all = text_of(o, "all");
    d.all_xy = text_of(o, "all_xy");
    d.basis = text_of(o, "basis");
    d.files = list_of(o, "files");
    d.classes = list_of(o, "classes");
    if (d.files.empty()) return Status::error(cat(name, ": data set '", id, "' lists no files"));
    m.datasets.push_back(std::move(d));
  }
  return m;
}

}  // namespace annlab::app
