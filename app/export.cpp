#include "export.h"

#include <algorithm>
#include <cstdio>

#include "annlab/distance.h"
#include "annlab/status.h"

namespace annlab::app {

uint32_t crc32_of(const uint8_t* data, size_t n, uint32_t crc) {
  static const auto table = [] {
    std::vector<uint32_t> t(256);
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

uint32_t adler32_of(const uint8_t* data, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

namespace {
void put32(std::vector<uint8_t>* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(uint8_t(v >> s));
}
void chunk(std::vector<uint8_t>* out, const char* type, const std::vector<uint8_t>& body) {
  put32(out, uint32_t(body.size()));
  const size_t start = out->size();
  out->insert(out->end(), type, type + 4);
  out->insert(out->end(), body.begin(), body.end());
  put32(out, crc32_of(out->data() + start, out->size() - start));
}
}  // namespace

std::vector<uint8_t> encode_png(int width, int height, const std::vector<uint8_t>& rgba) {
  ANNLAB_ASSERT(width > 0 && height > 0 && rgba.size() == size_t(width) * size_t(height) * 4);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put32(&ihdr, uint32_t(width));
  put32(&ihdr, uint32_t(height));
  ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});  // 8 bits, RGBA, deflate, adaptive filters, no interlace
  chunk(&out, "IHDR", ihdr);
  // The raw scanlines: filter type 0 (none), then the row.
  const size_t stride = size_t(width) * 4;
  std::vector<uint8_t> raw;
  raw.reserve((stride + 1) * size_t(height));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rgba.begin() + long(size_t(y) * stride), rgba.begin() + long(size_t(y + 1) * stride));
  }
  std::vector<uint8_t> z = {0x78, 0x01};  // zlib header: deflate, 32K window, no dictionary
  for (size_t at = 0; at < raw.size() || raw.empty();) {
    const size_t len = std::min<size_t>(65535, raw.size() - at);
    const bool last = at + len == raw.size();
    z.push_back(last ? 1 : 0);  // a stored block
    z.insert(z.end(), {uint8_t(len), uint8_t(len >> 8), uint8_t(~len), uint8_t(~len >> 8)});
    z.insert(z.end(), raw.begin() + long(at), raw.begin() + long(at + len));
    at += len;
    if (last) break;
  }
  put32(&z, adler32_of(raw.data(), raw.size()));
  chunk(&out, "IDAT", z);
  chunk(&out, "IEND", {});
  return out;
}

std::string results_csv(const Results& r, const std::string& query, const std::string& index) {
  auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf);
  };
  std::string out =
      "query,index,rank,exact_id,exact_squared_distance,exact_found_by_method,method_id,method_distance,"
      "method_distance_kind,method_exact_squared_distance,method_is_true_neighbour\n";
  const float kth = r.exact_dist.empty() ? 0.0f : r.exact_dist.back();
  for (size_t i = 0; i < std::max(r.exact_ids.size(), r.method_ids.size()); ++i) {
    out += quoted(query) + "," + quoted(index) + "," + std::to_string(i + 1) + ",";
    if (i < r.exact_ids.size()) {
      const bool found = std::find(r.method_ids.begin(), r.method_ids.end(), r.exact_ids[i]) != r.method_ids.end();
      out += std::to_string(r.exact_ids[i]) + "," + num(r.exact_dist[i]) + "," + (found ? "yes" : "no") + ",";
    } else {
      out += ",,,";
    }
    if (i < r.method_ids.size()) {
      // A true neighbour: among the exact ids, or tied with the k-th exact distance (the tie rule of recall).
      const bool truth = std::find(r.exact_ids.begin(), r.exact_ids.end(), r.method_ids[i]) != r.exact_ids.end() ||
                         (i < r.method_true.size() && r.method_true[i] <= kth);
      out += std::to_string(r.method_ids[i]) + "," + num(r.method_dist[i]) + "," +
             distance_kind_name(r.method_kind) + "," + (i < r.method_true.size() ? num(r.method_true[i]) : "") + "," +
             (truth ? "yes" : "no");
    } else {
      out += ",,,,";
    }
    out += "\n";
  }
  return out;
}

}  // namespace annlab::app
