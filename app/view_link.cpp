#include "view_link.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "annlab/factory.h"
#include "annlab/params.h"
#include "annlab/registry.h"

namespace annlab::app {

namespace {

const char* data_key(DataKind k) {
  switch (k) {
    case DataKind::Blobs2D: return "blobs";
    case DataKind::Mnist: return "mnist";
    default: return "fashion-mnist";
  }
}

// Percent-encodes everything but the characters a query value may hold as they are.
std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == ',') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<std::string> url_decode(std::string_view s, std::string_view key) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      auto hexval = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
      if (i + 2 >= s.size() || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
        return Status::error(cat("the link's '", key, "' has a broken %-escape: '", s.substr(i, 3), "'"));
      out += char(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A float as the shortest text that reads back to the same float.
std::string float_text(float v) {
  char buf[32];
  for (int prec = 6; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, double(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

Result<int64_t> int_of(std::string_view key, const std::string& text, int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || v < lo || v > hi)
    return Status::error(cat("the link's ", key, "=", text, " is not a whole number from ", lo, " to ", hi));
  return int64_t(v);
}

Result<std::vector<float>> floats_of(std::string_view key, const std::string& text, size_t count) {
  std::vector<float> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string tok = text.substr(pos, comma - pos);
    char* end = nullptr;
    const float v = std::strtof(tok.c_str(), &end);
    if (tok.empty() || end != tok.c_str() + tok.size() || !std::isfinite(v))
      return Status::error(cat("the link's ", key, "=", text, ": '", tok, "' is not a finite number"));
    out.push_back(v);
    pos = comma + 1;
  }
  if (out.size() != count)
    return Status::error(cat("the link's ", key, "=", text, " holds ", out.size(), " numbers, expected ", count));
  return out;
}

}  // namespace

std::string encode_view_link(const ViewLink& v) {
  std::string q = cat("v=", ViewLink::kVersion, "&data=", data_key(v.data));
  if (v.data == DataKind::Blobs2D) q += cat("&points=", v.blob_n, "&blobs=", v.blob_centers, "&data_seed=", v.blob_seed);
  if (!v.space.empty()) q += "&space=" + url_encode(v.space);
  if (!v.index.empty()) {
    q += "&index=" + url_encode(v.index);
    for (const auto& [name, value] : v.params) q += cat("&", name, "=", url_encode(value));
  }
  q += cat("&k=", v.k);
  switch (v.query) {
    case ViewLink::Query::HeldOut: q += cat("&q=h", v.query_id); break;
    case ViewLink::Query::Base: q += cat("&q=b", v.query_id); break;
    case ViewLink::Query::Point: q += "&q=p" + float_text(v.point[0]) + "," + float_text(v.point[1]); break;
    case ViewLink::Query::None: break;
  }
  if (v.layout) q += "&layout=umap";
  if (v.has_map) q += "&map=" + float_text(v.cx) + "," + float_text(v.cy) + "," + float_text(v.zoom);
  std::string show;
  if (v.structure) show = "structure";
  if (v.by_cell) show += show.empty() ? "cells" : ",cells";
  q += "&show=" + show + cat("&table=", v.table);
  return q;
}

Result<ViewLink> parse_view_link(std::string_view query) {
  if (!query.empty() && query[0] == '?') query.remove_prefix(1);
  ViewLink v;
  bool has_version = false;
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < query.size()) {
    const size_t amp = std::min(query.find('&', pos), query.size());
    const std::string_view pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return Status::error(cat("the link's '", pair, "' has no value: expected key=value"));
    ANNLAB_ASSIGN_OR_RETURN(std::string key, url_decode(pair.substr(0, eq), pair.substr(0, eq)));
    ANNLAB_ASSIGN_OR_RETURN(std::string val, url_decode(pair.substr(eq + 1), key));
    if (key == "v") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t ver, int_of(key, val, 0, 1 << 30));
      if (ver != ViewLink::kVersion)
        return Status::error(cat("the link is of format version ", ver, "; this lab reads version ", ViewLink::kVersion));
      has_version = true;
    } else if (key == "data") {
      if (val == "blobs") v.data = DataKind::Blobs2D;
      else if (val == "fashion-mnist") v.data = DataKind::FashionMnist;
      else if (val == "mnist") v.data = DataKind::Mnist;
      else return Status::error(cat("the link's data set '", val, "' is unknown: expected blobs, fashion-mnist or mnist"));
    } else if (key == "points") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t n, int_of(key, val, DataSource::kMinBlobPoints, DataSource::kMaxBlobPoints));
      v.blob_n = int(n);
    } else if (key == "blobs") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t n, int_of(key, val, 1, 32));
      v.blob_centers = int(n);
    } else if (key == "data_seed") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t n, int_of(key, val, 0, INT64_MAX));
      v.blob_seed = uint64_t(n);
    } else if (key == "index") {
      v.index = val;
    } else if (key == "k") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t n, int_of(key, val, 1, 50));
      v.k = int(n);
    } else if (key == "q") {
      if (val.size() >= 2 && (val[0] == 'h' || val[0] == 'b')) {
        ANNLAB_ASSIGN_OR_RETURN(int64_t id, int_of(key, val.substr(1), 0, INT64_MAX));
        v.query = val[0] == 'h' ? ViewLink::Query::HeldOut : ViewLink::Query::Base;
        v.query_id = id;
      } else if (val.size() >= 2 && val[0] == 'p') {
        ANNLAB_ASSIGN_OR_RETURN(std::vector<float> xy, floats_of(key, val.substr(1), 2));
        v.query = ViewLink::Query::Point;
        v.point[0] = xy[0];
        v.point[1] = xy[1];
      } else {
        return Status::error(cat("the link's q=", val, " is not a query: expected h<held-out query>, b<base point> or p<x>,<y>"));
      }
    } else if (key == "map") {
      ANNLAB_ASSIGN_OR_RETURN(std::vector<float> m, floats_of(key, val, 3));
      if (!(m[2] > 0)) return Status::error(cat("the link's map zoom ", m[2], " is not above 0"));
      v.has_map = true;
      v.cx = m[0];
      v.cy = m[1];
      v.zoom = m[2];
    } else if (key == "show") {
      v.structure = v.by_cell = false;
      size_t p = 0;
      while (p < val.size()) {
        const size_t c = std::min(val.find(',', p), val.size());
        const std::string item = val.substr(p, c - p);
        if (item == "structure") v.structure = true;
        else if (item == "cells") v.by_cell = true;
        else return Status::error(cat("the link's show=", val, ": '", item, "' is unknown: expected structure and/or cells"));
        p = c + 1;
      }
    } else if (key == "space") {
      if (val.empty() || val.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos)
        return Status::error(cat("the link's space '", val, "' is not a space's name (such as cnn64 or pca64)"));
      v.space = val == "raw" ? std::string() : std::string(val);
    } else if (key == "layout") {
      if (val != "umap" && val != "pca")
        return Status::error(cat("the link's layout '", val, "' is unknown: expected umap or pca"));
      v.layout = val == "umap";
    } else if (key == "table") {
      ANNLAB_ASSIGN_OR_RETURN(int64_t n, int_of(key, val, 0, 1 << 20));
      v.table = int(n);
    } else if (find_param(key)) {
      params.emplace_back(key, val);
    } else {
      return Status::error(cat("the link's key '", key, "' is unknown: expected v, data, points, blobs, data_seed, space, index, "
                               "k, q, layout, map, show, table or a parameter of the index"));
    }
  }
  if (!has_version) return Status::error(cat("the link has no format version: expected v=", ViewLink::kVersion));
  if (v.data != DataKind::Blobs2D && query.find("points=") != std::string_view::npos)
    return Status::error("the link's points= applies to the 2-D blobs only");
  if (v.index.empty() && !params.empty())
    return Status::error(cat("the link sets '", params[0].first, "' but names no index"));
  if (!v.index.empty()) {
    auto parsed = parse_index_spec(v.index);
    if (!parsed.is_ok()) return Status::error(cat("the link's index: ", parsed.message()));
    const IndexSpec spec = parsed.value();
    if (!spec.method->implemented) return Status::error(cat("the link's index ", v.index, " is not implemented"));
    for (const auto& [name, value] : params) {
      if (!spec.method->build_param(name) && !spec.method->search_param(name))
        return Status::error(cat("the link sets '", name, "', which ", v.index, " does not take"));
      BuildParams bp;
      SearchParams sp;
      ANNLAB_TRY(apply_param(name, value, &bp, &sp).with_context("the link"));
    }
  }
  v.params = std::move(params);
  return v;
}

}  // namespace annlab::app
