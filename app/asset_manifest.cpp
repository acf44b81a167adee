#include "asset_manifest.h"

#include "annlab/json.h"

namespace annlab::app {

namespace {

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

const AssetSpace* AssetDataset::find_space(const std::string& id) const {
  for (const AssetSpace& s : spaces)
    if (s.id == id) return &s;
  return nullptr;
}

const AssetDataset* AssetManifest::find(const std::string& id) const {
  for (const AssetDataset& d : datasets)
    if (d.id == id) return &d;
  return nullptr;
}

Result<AssetManifest> parse_asset_manifest(const std::string& name, const std::string& text) {
  ANNLAB_ASSIGN_OR_RETURN(Json doc, parse_json(name, text));
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
    d.layout_base = text_of(o, "layout_base");
    d.layout_query = text_of(o, "layout_query");
    d.all_layout = text_of(o, "all_layout");
    d.files = list_of(o, "files");
    d.classes = list_of(o, "classes");
    if (d.files.empty()) return Status::error(cat(name, ": data set '", id, "' lists no files"));
    d.default_space = text_of(o, "default_space");
    if (auto sp = o.fields.find("spaces"); sp != o.fields.end() && sp->second.kind == Json::Object) {
      for (const auto& [sid, so] : sp->second.fields) {
        AssetSpace x;
        x.id = sid;
        x.label = text_of(so, "label");
        x.base = text_of(so, "base");
        x.query = text_of(so, "query");
        x.basis = text_of(so, "basis");
        x.model = text_of(so, "model");
        x.layout_base = text_of(so, "layout_base");
        x.layout_query = text_of(so, "layout_query");
        x.files = list_of(so, "files");
        if (x.base.empty() || x.query.empty() || x.files.empty())
          return Status::error(cat(name, ": space '", sid, "' of data set '", id, "' needs \"base\", \"query\" and \"files\""));
        d.spaces.push_back(std::move(x));
      }
    }
    if (!d.default_space.empty() && !d.find_space(d.default_space))
      return Status::error(cat(name, ": data set '", id, "': default space '", d.default_space, "' is not in its spaces"));
    m.datasets.push_back(std::move(d));
  }
  return m;
}

}  // namespace annlab::app
