#include "annlab/io.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "parts/sha256.h"

#include <sys/stat.h>

namespace annlab {

namespace {

bool mul_overflows(size_t a, size_t b, size_t* out) { return __builtin_mul_overflow(a, b, out); }

// Text one line at a time: each line without its '\n' (and a '\r' before it), numbered from 1.
struct LineReader {
  const char* s;
  size_t size, pos = 0, line_no = 0;
  LineReader(const uint8_t* data, size_t n) : s(reinterpret_cast<const char*>(data)), size(n) {}
  bool next(std::string_view* line) {
    if (pos >= size) return false;
    size_t eol = pos;
    while (eol < size && s[eol] != '\n') ++eol;
    *line = std::string_view(s + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    return true;
  }
};

std::string lower_extension(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

Status non_finite(size_t offset, size_t vec, size_t comp, float v) {
  return Status::error(cat("offset ", offset, " (vector ", vec, ", component ", comp, "): ",
                           std::isnan(v) ? "NaN" : "infinity", " is not a valid coordinate"));
}

// The three .Xvecs formats: per vector an int32 dimension d, then d elements of `elem` bytes.
// `store` copies one vector's elements (validating them) into the output.
template <class Store>
Status parse_vecs(const uint8_t* data, size_t size, size_t elem, size_t* n_out, size_t* d_out,
                  Store store) {
  if (size == 0) return Status::error("empty file (0 bytes): expected at least one vector");
  size_t off = 0, i = 0, d = 0;
  while (off < size) {
    if (size - off < 4)
      return Status::error(cat("offset ", off, " (vector ", i, "): truncated: need 4 bytes for the "
                               "dimension header, ", size - off, " left"));
    int32_t hd;
    std::memcpy(&hd, data + off, 4);
    if (hd <= 0)
      return Status::error(cat("offset ", off, " (vector ", i, "): dimension header is ", hd,
                               ", expected a positive dimension"));
    if (static_cast<size_t>(hd) > kMaxDim)
      return Status::error(cat("offset ", off, " (vector ", i, "): dimension header is ", hd,
                               ", which exceeds the maximum ", kMaxDim));
    if (i == 0) {
      d = static_cast<size_t>(hd);
    } else if (static_cast<size_t>(hd) != d) {
      return Status::error(cat("offset ", off, " (vector ", i, "): dimension header is ", hd,
                               ", expected ", d, " (the dimension of vector 0)"));
    }
    const size_t need = d * elem;
    if (size - off - 4 < need)
      return Status::error(cat("offset ", off + 4, " (vector ", i, "): truncated: the vector needs ",
                               need, " bytes, ", size - off - 4, " left"));
    ANNLAB_TRY(store(data + off + 4, off + 4, i, d));
    off += 4 + need;
    ++i;
  }
  *n_out = i;
  *d_out = d;
  return Status::ok();
}

Dataset empty_dataset(std::string_view name, DType t) {
  Dataset ds;
  ds.name = std::string(name);
  ds.dtype = t;
  return ds;
}

}  // namespace

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::error(cat("cannot open '", path, "': ", std::strerror(errno)));
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    return Status::error(cat("cannot read '", path, "': it is a folder"));
  }
  // The file is read whole, then parsed: twice its size must fit.
  if (fstat(fileno(f), &st) == 0 && st.st_size > 0) {
    Status fits = check_memory(cat("reading '", path, "' (", st.st_size, " bytes, parsed in memory)"), size_t(st.st_size) * 2);
    if (!fits.is_ok()) {
      std::fclose(f);
      return fits;
    }
  }
  std::vector<uint8_t> out;
  if (st.st_size > 0) out.reserve(size_t(st.st_size));
  uint8_t buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + got);
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) return Status::error(cat("cannot read '", path, "': ", std::strerror(err)));
  return out;
}

Status write_file(const std::string& path, const void* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::error(cat("cannot create '", path, "': ", std::strerror(errno)));
  const size_t put = size ? std::fwrite(data, 1, size, f) : 0;
  const int err = errno;
  if (std::fclose(f) != 0 || put != size)
    return Status::error(cat("cannot write '", path, "': ", std::strerror(err)));
  return Status::ok();
}

Result<Dataset> parse_fvecs(std::string_view name, const uint8_t* data, size_t size) {
  Dataset ds = empty_dataset(name, DType::F32);
  ds.f32.reserve(size / 4);
  Status st = parse_vecs(data, size, 4, &ds.n, &ds.d,
                         [&](const uint8_t* p, size_t off, size_t vec, size_t d) {
                           const size_t base = ds.f32.size();
                           ds.f32.resize(base + d);
                           std::memcpy(ds.f32.data() + base, p, d * 4);
                           for (size_t j = 0; j < d; ++j)
                             if (!std::isfinite(ds.f32[base + j]))
                               return non_finite(off + 4 * j, vec, j, ds.f32[base + j]);
                           return Status::ok();
                         });
  if (!st.is_ok()) return st.with_context(name);
  return ds;
}

Result<Dataset> parse_bvecs(std::string_view name, const uint8_t* data, size_t size) {
  Dataset ds = empty_dataset(name, DType::U8);
  ds.u8.reserve(size);
  Status st = parse_vecs(data, size, 1, &ds.n, &ds.d,
                         [&](const uint8_t* p, size_t, size_t, size_t d) {
                           ds.u8.insert(ds.u8.end(), p, p + d);
                           return Status::ok();
                         });
  if (!st.is_ok()) return st.with_context(name);
  return ds;
}

Result<IntMatrix> parse_ivecs(std::string_view name, const uint8_t* data, size_t size) {
  IntMatrix m;
  m.v.reserve(size / 4);
  Status st = parse_vecs(data, size, 4, &m.n, &m.d,
                         [&](const uint8_t* p, size_t, size_t, size_t d) {
                           const size_t base = m.v.size();
                           m.v.resize(base + d);
                           std::memcpy(m.v.data() + base, p, d * 4);
                           return Status::ok();
                         });
  if (!st.is_ok()) return st.with_context(name);
  return m;
}

Result<Dataset> parse_ivecs_vectors(std::string_view name, const uint8_t* data, size_t size) {
  Dataset ds = empty_dataset(name, DType::F32);
  ds.f32.reserve(size / 4);
  Status st = parse_vecs(data, size, 4, &ds.n, &ds.d,
                         [&](const uint8_t* p, size_t off, size_t vec, size_t d) {
                           for (size_t j = 0; j < d; ++j) {
                             int32_t v;
                             std::memcpy(&v, p + 4 * j, 4);
                             if (v > (1 << 24) || v < -(1 << 24))
                               return Status::error(cat("offset ", off + 4 * j, " (vector ", vec,
                                                        ", component ", j, "): integer ", v,
                                                        " is not exactly representable as float32"));
                             ds.f32.push_back(static_cast<float>(v));
                           }
                           return Status::ok();
                         });
  if (!st.is_ok()) return st.with_context(name);
  return ds;
}

// ---- .npy ----------------------------------------------------------------------------------------

namespace {

// Finds `'key':` in a NumPy header dict and returns the position just after the colon.
size_t npy_find_key(std::string_view h, std::string_view key) {
  for (char q : {'\'', '"'}) {
    std::string k = cat(q, key, q);
    size_t p = h.find(k);
    if (p == std::string::npos) continue;
    p += k.size();
    while (p < h.size() && h[p] == ' ') ++p;
    if (p < h.size() && h[p] == ':') return p + 1;
  }
  return std::string_view::npos;
}

Status npy_header(std::string_view h, std::string* descr, bool* fortran, std::vector<size_t>* shape) {
  size_t p = npy_find_key(h, "descr");
  if (p == std::string_view::npos) return Status::error("header has no 'descr' key");
  while (p < h.size() && h[p] == ' ') ++p;
  if (p >= h.size() || (h[p] != '\'' && h[p] != '"')) return Status::error("header 'descr' is not a string");
  const char q = h[p];
  const size_t end = h.find(q, p + 1);
  if (end == std::string_view::npos) return Status::error("header 'descr' string is not closed");
  *descr = std::string(h.substr(p + 1, end - p - 1));

  p = npy_find_key(h, "fortran_order");
  if (p == std::string_view::npos) return Status::error("header has no 'fortran_order' key");
  while (p < h.size() && h[p] == ' ') ++p;
  if (h.substr(p, 4) == "True") *fortran = true;
  else if (h.substr(p, 5) == "False") *fortran = false;
  else return Status::error("header 'fortran_order' is neither True nor False");

  p = npy_find_key(h, "shape");
  if (p == std::string_view::npos) return Status::error("header has no 'shape' key");
  while (p < h.size() && h[p] == ' ') ++p;
  if (p >= h.size() || h[p] != '(') return Status::error("header 'shape' is not a tuple");
  ++p;
  shape->clear();
  while (true) {
    while (p < h.size() && (h[p] == ' ' || h[p] == ',')) ++p;
    if (p >= h.size()) return Status::error("header 'shape' tuple is not closed");
    if (h[p] == ')') break;
    if (h[p] < '0' || h[p] > '9') return Status::error(cat("header 'shape' has a non-integer entry at '", h.substr(p, 8), "'"));
    size_t v = 0;
    while (p < h.size() && h[p] >= '0' && h[p] <= '9') {
      if (v > (SIZE_MAX - 9) / 10) return Status::error("header 'shape' entry is too large");
      v = v * 10 + static_cast<size_t>(h[p] - '0');
      ++p;
    }
    if (p < h.size() && h[p] == 'L') ++p;  // Python 2 longs
    shape->push_back(v);
  }
  return Status::ok();
}

// A NumPy element type: kind 'f' (float), 'i' (signed) or 'u' (unsigned), its size in bytes, and
// whether it is stored big-endian.
struct NpyType {
  char kind = 0;
  size_t size = 0;
  bool big = false;
};

bool parse_npy_type(const std::string& descr, NpyType* t) {
  std::string_view s = descr;
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
    t->big = s[0] == '>';
    s.remove_prefix(1);
  }
  if (s.size() != 2 || (s[0] != 'f' && s[0] != 'i' && s[0] != 'u')) return false;
  t->kind = s[0];
  t->size = size_t(s[1] - '0');
  if (t->kind == 'f') return t->size == 2 || t->size == 4 || t->size == 8;
  return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
}

const char* npy_type_name(const NpyType& t) {
  switch (t.kind) {
    case 'f': return t.size == 2 ? "float16" : t.size == 4 ? "float32" : "float64";
    case 'i': return t.size == 1 ? "int8" : t.size == 2 ? "int16" : t.size == 4 ? "int32" : "int64";
    default: return t.size == 1 ? "uint8" : t.size == 2 ? "uint16" : t.size == 4 ? "uint32" : "uint64";
  }
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) bits = sign;
    else {  // subnormal: normalise
      int e = -1;
      uint32_t m = man;
      do {
        ++e;
        m <<= 1;
      } while (!(m & 0x400));
      bits = sign | (uint32_t(127 - 15 - e) << 23) | ((m & 0x3FF) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (man << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Element i of the raw array as a double (any NumPy type, either byte order).
double npy_value(const uint8_t* p, const NpyType& t) {
  uint8_t b[8];
  for (size_t j = 0; j < t.size; ++j) b[j] = t.big ? p[t.size - 1 - j] : p[j];
  switch (t.kind) {
    case 'f':
      if (t.size == 2) {
        uint16_t h;
        std::memcpy(&h, b, 2);
        return half_to_float(h);
      }
      if (t.size == 4) {
        float f;
        std::memcpy(&f, b, 4);
        return f;
      } else {
        double v;
        std::memcpy(&v, b, 8);
        return v;
      }
    case 'i': {
      int64_t v = 0;
      if (t.size == 1) v = int8_t(b[0]);
      else if (t.size == 2) { int16_t x; std::memcpy(&x, b, 2); v = x; }
      else if (t.size == 4) { int32_t x; std::memcpy(&x, b, 4); v = x; }
      else std::memcpy(&v, b, 8);
      return double(v);
    }
    default: {
      uint64_t v = 0;
      std::memcpy(&v, b, t.size);
      return double(v);
    }
  }
}

}  // namespace

namespace {
// Where a .npy file's header dict is: [*hstart, *hstart + *hlen). Errors name the offset.
Status npy_locate(const uint8_t* data, size_t size, size_t* hstart, size_t* hlen) {
  if (size < 10) return Status::error(cat("offset 0: ", size, " bytes is too short for a .npy header (at least 10)"));
  if (std::memcmp(data, "\x93NUMPY", 6) != 0) return Status::error("offset 0: not a .npy file: expected the magic \\x93NUMPY");
  const int major = data[6], minor = data[7];
  if (major == 1) {
    *hlen = data[8] | (size_t{data[9]} << 8);
    *hstart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return Status::error("offset 8: truncated header length");
    uint32_t l;
    std::memcpy(&l, data + 8, 4);
    *hlen = l;
    *hstart = 12;
  } else {
    return Status::error(cat("offset 6: .npy format version ", major, ".", minor, " is not supported (expected 1.0, 2.0 or 3.0)"));
  }
  if (*hlen > size - *hstart)
    return Status::error(cat("offset ", *hstart, ": truncated: the header declares ", *hlen, " bytes, ", size - *hstart, " left"));
  return Status::ok();
}
}  // namespace

Result<Dataset> parse_npy(std::string_view name, const uint8_t* data, size_t size) {
  auto fail = [&](std::string_view what) { return Status::error(cat(name, ": ", what)); };
  size_t hlen = 0, hstart = 0;
  if (Status st = npy_locate(data, size, &hstart, &hlen); !st.is_ok()) return st.with_context(name);
  std::string descr;
  bool fortran = false;
  std::vector<size_t> shape;
  Status st = npy_header(std::string_view(reinterpret_cast<const char*>(data + hstart), hlen), &descr,
                         &fortran, &shape);
  if (!st.is_ok()) return fail(cat("offset ", hstart, ": ", st.message()));
  NpyType nt;
  if (!parse_npy_type(descr, &nt))
    return fail(cat("offset ", hstart, ": dtype '", descr, "' is not supported: expected a float (f2, f4, f8) or an ",
                    "integer (i1..i8, u1..u8) type"));
  // uint8 in C order stays bytes; float32 little-endian in C order is read as is; anything else is
  // converted to float32, said in one line (ds.note).
  const bool bytes_as_is = nt.kind == 'u' && nt.size == 1 && !fortran;
  const bool f32_as_is = nt.kind == 'f' && nt.size == 4 && !nt.big && !fortran;
  const DType t = bytes_as_is ? DType::U8 : DType::F32;
  Dataset ds = empty_dataset(name, t);
  if (shape.size() == 1)
    return fail(cat("offset ", hstart, ": expected a 2-D array (n, d), got shape (", shape[0], ",)"));
  if (shape.size() == 2) {
    ds.n = shape[0];
    ds.d = shape[1];
  } else if (shape.size() == 3) {
    ds.n = shape[0];
    if (mul_overflows(shape[1], shape[2], &ds.d) || shape[1] > UINT32_MAX || shape[2] > UINT32_MAX)
      return fail(cat("offset ", hstart, ": image shape ", shape[1], "x", shape[2], " is too large"));
    ds.image_h = static_cast<uint32_t>(shape[1]);
    ds.image_w = static_cast<uint32_t>(shape[2]);
  } else {
    return fail(cat("offset ", hstart, ": shape has ", shape.size(), " dimensions: expected (n, d) or (n, h, w)"));
  }
  if (ds.d == 0) return fail(cat("offset ", hstart, ": dimension 0: expected at least 1"));
  if (ds.d > kMaxDim) return fail(cat("offset ", hstart, ": dimension ", ds.d, " exceeds the maximum ", kMaxDim));
  if (ds.n == 0) return fail(cat("offset ", hstart, ": the array holds no vectors (n = 0)"));
  const size_t elem = nt.size;
  const size_t start = hstart + hlen;
  size_t count, bytes;
  if (mul_overflows(ds.n, ds.d, &count) || mul_overflows(count, elem, &bytes))
    return fail(cat("offset ", hstart, ": shape (", ds.n, ", ", ds.d, ") is too large"));
  if (size - start != bytes)
    return fail(cat("offset ", start, ": ", size - start < bytes ? "truncated: " : "", "the data holds ",
                    size - start, " bytes, expected ", bytes, " for shape (", ds.n, ", ", ds.d, ") of ",
                    npy_type_name(nt)));
  if (bytes_as_is) {
    ds.u8.assign(data + start, data + size);
    return ds;
  }
  ds.f32.resize(count);
  if (f32_as_is) {
    std::memcpy(ds.f32.data(), data + start, bytes);
    for (size_t i = 0; i < count; ++i)
      if (!std::isfinite(ds.f32[i]))
        return non_finite(start + 4 * i, i / ds.d, i % ds.d, ds.f32[i]).with_context(name);
    return ds;
  }
  // Element (i, j) is at i * d + j in C order and at j * n + i in Fortran (column-major) order.
  bool rounded = false;
  for (size_t i = 0; i < ds.n; ++i)
    for (size_t j = 0; j < ds.d; ++j) {
      const size_t at = fortran ? j * ds.n + i : i * ds.d + j;
      const double v = npy_value(data + start + at * elem, nt);
      const float f = float(v);
      if (std::isfinite(v) && !std::isfinite(f))
        return fail(cat("offset ", start + at * elem, " (vector ", i, ", component ", j, "): ", v,
                        " does not fit in float32"));
      if (!std::isfinite(f)) return non_finite(start + at * elem, i, j, f).with_context(name);
      rounded |= double(f) != v;
      ds.f32[i * ds.d + j] = f;
    }
  std::vector<std::string> what;
  if (!(nt.kind == 'f' && nt.size == 4)) what.push_back(cat("from ", npy_type_name(nt), " to float32"));
  if (nt.big) what.push_back("from big-endian");
  if (fortran) what.push_back("from Fortran (column-major) order");
  std::string note = "converted";
  for (size_t w = 0; w < what.size(); ++w) note += (w ? ", " : " ") + what[w];
  if (rounded) note += " (some values rounded to the nearest float32)";
  ds.note = note;
  return ds;
}

// ---- .csv ----------------------------------------------------------------------------------------

Result<Dataset> parse_csv(std::string_view name, const uint8_t* data, size_t size) {
  Dataset ds = empty_dataset(name, DType::F32);
  LineReader lines(data, size);
  const size_t& line_no = lines.line_no;
  size_t pending_blank = 0;
  std::string tok;
  std::vector<float> row;
  for (std::string_view line; lines.next(&line);) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++pending_blank;  // blank lines are fine only at the end of the file
      continue;
    }
    if (pending_blank)
      return Status::error(cat(name, ":", line_no - pending_blank, ": empty row: expected ",
                               ds.d ? ds.d : 1, " comma-separated numbers"));
    row.clear();
    size_t numeric = 0, fields = 0, col = 0, bad_col = 0;
    std::string bad;
    while (true) {
      const size_t comma = line.find(',', col);
      std::string_view field = line.substr(col, comma == std::string_view::npos ? line.size() - col : comma - col);
      ++fields;
      const size_t b = field.find_first_not_of(" \t");
      const size_t e = field.find_last_not_of(" \t");
      tok = b == std::string_view::npos ? std::string() : std::string(field.substr(b, e - b + 1));
      char* end = nullptr;
      errno = 0;
      const double v = tok.empty() ? 0.0 : std::strtod(tok.c_str(), &end);
      if (!tok.empty() && end == tok.c_str() + tok.size()) {
        ++numeric;
        if (std::isnan(v) || !(std::fabs(v) <= 3.4028234663852886e38))
          return Status::error(cat(name, ":", line_no, ": column ", fields, ": '", tok, "' is ",
                                   std::isnan(v) ? "NaN" : "infinite or outside the float32 range",
                                   ", not a valid coordinate"));
        row.push_back(static_cast<float>(v));
      } else if (bad.empty()) {
        bad = tok;
        bad_col = fields;
      }
      if (comma == std::string_view::npos) break;
      col = comma + 1;
    }
    if (numeric != fields) {
      if (line_no == 1 && numeric == 0) continue;  // a header row
      return Status::error(cat(name, ":", line_no, ": column ", bad_col, ": '", bad, "' is not a number"));
    }
    if (ds.n == 0) {
      if (row.size() > kMaxDim)
        return Status::error(cat(name, ":", line_no, ": ", row.size(), " values exceed the maximum dimension ", kMaxDim));
      ds.d = row.size();
    } else if (row.size() != ds.d) {
      return Status::error(cat(name, ":", line_no, ": expected ", ds.d, " values (as in the first row), found ",
                               row.size()));
    }
    ds.f32.insert(ds.f32.end(), row.begin(), row.end());
    ++ds.n;
  }
  if (ds.n == 0)
    return Status::error(cat(name, ": ", size == 0 ? "empty file" : "no data rows", ": expected at least one vector"));
  return ds;
}

// ---- .alds ---------------------------------------------------------------------------------------
// 0 magic "ANNLABDS" · 8 u32 version · 12 u32 dtype (0 f32, 1 u8) · 16 u64 n · 24 u32 d ·
// 28 u32 image_h · 32 u32 image_w · 36 u32 flags (bit 0: labels) · 40 data n*d*elem ·
// labels n * int32 when flagged · u32 CRC-32 of every byte before it.

std::vector<uint8_t> to_alds(const Dataset& ds) {
  BinaryWriter w;
  w.bytes(kAldsMagic, 8);
  w.put<uint32_t>(kAldsVersion);
  w.put<uint32_t>(static_cast<uint32_t>(ds.dtype));
  w.put<uint64_t>(ds.n);
  w.put<uint32_t>(static_cast<uint32_t>(ds.d));
  w.put<uint32_t>(ds.image_h);
  w.put<uint32_t>(ds.image_w);
  w.put<uint32_t>(ds.has_labels() ? 1u : 0u);
  if (ds.dtype == DType::U8) w.bytes(ds.u8.data(), ds.u8.size());
  else w.bytes(ds.f32.data(), ds.f32.size() * 4);
  if (ds.has_labels()) w.bytes(ds.labels.data(), ds.labels.size() * 4);
  w.put<uint32_t>(crc32(w.buffer().data(), w.size()));
  return std::move(w.buffer());
}

Result<Dataset> parse_alds(std::string_view name, const uint8_t* data, size_t size) {
  auto fail = [&](size_t off, std::string_view what) {
    return Status::error(cat(name, ": offset ", off, ": ", what));
  };
  if (size == 0) return Status::error(cat(name, ": empty file (0 bytes): expected an annlab dataset"));
  if (size < 8 || std::memcmp(data, kAldsMagic, 8) != 0)
    return fail(0, "not an annlab dataset file: expected the magic 'ANNLABDS'");
  BinaryReader r(data, size);
  char magic[8];
  uint32_t version = 0, dtype = 0, d = 0, ih = 0, iw = 0, flags = 0;
  uint64_t n = 0;
  Status st = r.bytes(magic, 8, "magic");
  if (st.is_ok()) st = r.get(&version, "version");
  if (st.is_ok() && version != kAldsVersion)
    return fail(8, cat("format version ", version, " is not supported: this build reads version ", kAldsVersion));
  if (st.is_ok()) st = r.get(&dtype, "dtype");
  if (st.is_ok()) st = r.get(&n, "n");
  if (st.is_ok()) st = r.get(&d, "dimension");
  if (st.is_ok()) st = r.get(&ih, "image height");
  if (st.is_ok()) st = r.get(&iw, "image width");
  if (st.is_ok()) st = r.get(&flags, "flags");
  if (!st.is_ok()) return st.with_context(name);
  if (dtype > 1) return fail(12, cat("dtype code ", dtype, " is not 0 (float32) or 1 (uint8)"));
  if (d == 0 || d > kMaxDim) return fail(24, cat("dimension ", d, " is outside 1..", kMaxDim));
  if (n == 0) return fail(16, "the file holds no vectors (n = 0)");
  if (flags > 1) return fail(36, cat("unknown flags 0x", std::hex, flags));
  if ((ih || iw) && uint64_t{ih} * iw != d)
    return fail(28, cat("image shape ", ih, "x", iw, " does not match dimension ", d));
  const size_t elem = dtype == 1 ? 1 : 4;
  size_t data_bytes, label_bytes = 0, expected;
  if (mul_overflows(n, size_t{d} * elem, &data_bytes) || (flags && mul_overflows(n, 4, &label_bytes)) ||
      __builtin_add_overflow(40 + 4, data_bytes, &expected) || __builtin_add_overflow(expected, label_bytes, &expected))
    return fail(16, cat("n = ", n, " with d = ", d, " is too large"));
  if (size != expected)
    return fail(size < expected ? size : expected,
                cat(size < expected ? "truncated: " : "trailing bytes: ", "the header promises ", expected,
                    " bytes in all, the file has ", size));
  uint32_t stored_crc;
  std::memcpy(&stored_crc, data + size - 4, 4);
  const uint32_t crc = crc32(data, size - 4);
  if (crc != stored_crc)
    return fail(size - 4, cat("checksum mismatch (stored 0x", std::hex, stored_crc, ", computed 0x", crc,
                              "): the file is corrupted"));
  Dataset ds = empty_dataset(name, dtype == 1 ? DType::U8 : DType::F32);
  ds.n = n;
  ds.d = d;
  ds.image_h = ih;
  ds.image_w = iw;
  const uint8_t* p = data + 40;
  if (ds.dtype == DType::U8) {
    ds.u8.assign(p, p + data_bytes);
  } else {
    ds.f32.resize(n * d);
    std::memcpy(ds.f32.data(), p, data_bytes);
    for (size_t i = 0; i < ds.f32.size(); ++i)
      if (!std::isfinite(ds.f32[i])) return non_finite(40 + 4 * i, i / d, i % d, ds.f32[i]).with_context(name);
  }
  if (flags) {
    ds.labels.resize(n);
    std::memcpy(ds.labels.data(), p + data_bytes, label_bytes);
  }
  return ds;
}

// ---- by extension, writers -----------------------------------------------------------------------

std::string sha256_hex(const void* data, size_t size) {
  detail::Sha256 h;
  h.update(data, size);
  return detail::Sha256::hex(h.digest());
}

Result<std::string> file_sha256(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return sha256_hex(bytes.data(), bytes.size());
}

// ---- labels --------------------------------------------------------------------------------------

namespace {
Status check_label(double v, std::string_view where) {
  if (!(v >= 0) || v > double(INT32_MAX) || v != std::floor(v))
    return Status::error(cat(where, ": ", v, " is not a label: expected a whole number from 0 to ", INT32_MAX));
  return Status::ok();
}
}  // namespace

Result<std::vector<int32_t>> parse_labels(std::string_view name, const uint8_t* data, size_t size) {
  const std::string ext = lower_extension(std::string(name));
  std::vector<int32_t> out;
  if (ext == ".ivecs") {
    ANNLAB_ASSIGN_OR_RETURN(IntMatrix m, parse_ivecs(name, data, size));
    if (m.d != 1)
      return Status::error(cat(name, ": offset 0: vectors of ", m.d, " integers: a labels file holds one per vector (d = 1)"));
    for (size_t i = 0; i < m.n; ++i) {
      ANNLAB_TRY(check_label(m.v[i], cat(name, ": offset ", 8 * i + 4, " (vector ", i, ")")));
      out.push_back(m.v[i]);
    }
  } else if (ext == ".npy") {
    size_t hlen = 0, hstart = 0;
    if (Status st = npy_locate(data, size, &hstart, &hlen); !st.is_ok()) return st.with_context(name);
    std::string descr;
    bool fortran = false;
    std::vector<size_t> shape;
    if (Status st = npy_header(std::string_view(reinterpret_cast<const char*>(data + hstart), hlen), &descr, &fortran, &shape);
        !st.is_ok())
      return Status::error(cat(name, ": offset ", hstart, ": ", st.message()));
    NpyType nt;
    if (!parse_npy_type(descr, &nt) || nt.kind == 'f')
      return Status::error(cat(name, ": offset ", hstart, ": dtype '", descr, "': labels are integers (i1..i8, u1..u8)"));
    const bool column = shape.size() == 2 && shape[1] == 1;
    if (shape.size() != 1 && !column) {
      std::string sh;
      for (size_t i = 0; i < shape.size(); ++i) sh += cat(i ? ", " : "", shape[i]);
      return Status::error(cat(name, ": offset ", hstart, ": labels are a 1-D array (n,) or (n, 1), got shape (", sh,
                               shape.size() == 1 ? ",)" : ")"));
    }
    const size_t n = shape[0], start = hstart + hlen;
    if (n > (size - start) / nt.size || size - start != n * nt.size)
      return Status::error(cat(name, ": offset ", start, ": the data holds ", size - start, " bytes, expected ",
                               n, " labels of ", npy_type_name(nt)));
    for (size_t i = 0; i < n; ++i) {
      const double v = npy_value(data + start + i * nt.size, nt);
      ANNLAB_TRY(check_label(v, cat(name, ": offset ", start + i * nt.size, " (label ", i, ")")));
      out.push_back(int32_t(v));
    }
  } else if (ext == ".csv" || ext == ".txt") {
    LineReader lines(data, size);
    const size_t& line_no = lines.line_no;
    for (std::string_view line; lines.next(&line);) {
      const size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t");
      if (b == std::string_view::npos) continue;  // blank
      const std::string tok(line.substr(b, e - b + 1));
      if (tok.find(',') != std::string::npos)
        return Status::error(cat(name, ":", line_no, ": '", tok, "' has several columns: a labels file has one label per line"));
      char* end = nullptr;
      const double v = std::strtod(tok.c_str(), &end);
      if (end != tok.c_str() + tok.size()) {
        if (line_no == 1 && out.empty()) continue;  // a header ("label")
        return Status::error(cat(name, ":", line_no, ": '", tok, "' is not a number: expected one label per line"));
      }
      ANNLAB_TRY(check_label(v, cat(name, ":", line_no)));
      out.push_back(int32_t(v));
    }
  } else {
    return Status::error(cat(name, ": unknown labels file extension '", ext, "': expected .ivecs, .npy, .csv or .txt"));
  }
  if (out.empty()) return Status::error(cat(name, ": the file holds no labels"));
  return out;
}

Result<std::vector<int32_t>> load_labels(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return parse_labels(path, bytes.data(), bytes.size());
}

Result<Dataset> parse_vectors(std::string_view name, const uint8_t* data, size_t size) {
  const std::string ext = lower_extension(std::string(name));
  using Parser = Result<Dataset> (*)(std::string_view, const uint8_t*, size_t);
  Parser parse = nullptr;
  if (ext == ".fvecs") parse = parse_fvecs;
  else if (ext == ".bvecs") parse = parse_bvecs;
  else if (ext == ".ivecs") parse = parse_ivecs_vectors;
  else if (ext == ".npy") parse = parse_npy;
  else if (ext == ".csv") parse = parse_csv;
  else if (ext == ".alds") parse = parse_alds;
  else
    return Status::error(cat(name, ": unknown file extension '", ext,
                             "': expected .fvecs, .ivecs, .bvecs, .npy, .csv or .alds"));
  return parse(name, data, size);
}

Result<Dataset> load_vectors(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext != ".fvecs" && ext != ".bvecs" && ext != ".ivecs" && ext != ".npy" && ext != ".csv" && ext != ".alds")
    return parse_vectors(path, nullptr, 0);  // the unknown-extension error, before reading anything
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return parse_vectors(path, bytes.data(), bytes.size());
}

Result<IntMatrix> load_ivecs(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return parse_ivecs(path, bytes.data(), bytes.size());
}

std::vector<uint8_t> to_fvecs(const VectorView& x) {
  std::vector<uint8_t> out(x.n * (4 + 4 * x.d));
  std::vector<float> row(x.d);
  const int32_t d = static_cast<int32_t>(x.d);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    uint8_t* p = out.data() + i * (4 + 4 * x.d);
    std::memcpy(p, &d, 4);
    std::memcpy(p + 4, row.data(), 4 * x.d);
  }
  return out;
}

std::vector<uint8_t> to_ivecs(const IntMatrix& m) {
  std::vector<uint8_t> out(m.n * (4 + 4 * m.d));
  const int32_t d = static_cast<int32_t>(m.d);
  for (size_t i = 0; i < m.n; ++i) {
    uint8_t* p = out.data() + i * (4 + 4 * m.d);
    std::memcpy(p, &d, 4);
    std::memcpy(p + 4, m.v.data() + i * m.d, 4 * m.d);
  }
  return out;
}

Status save_fvecs(const std::string& path, const VectorView& x) {
  const auto b = to_fvecs(x);
  return write_file(path, b.data(), b.size());
}

Status save_ivecs(const std::string& path, const IntMatrix& m) {
  const auto b = to_ivecs(m);
  return write_file(path, b.data(), b.size());
}

Status save_alds(const std::string& path, const Dataset& ds) {
  ANNLAB_TRY(ds.validate().with_context(path));
  const auto b = to_alds(ds);
  return write_file(path, b.data(), b.size());
}

}  // namespace annlab
