#include "annlab/io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.h"

namespace annlab {
namespace {

// Builds .Xvecs bytes from (header, values) records of 4-byte or 1-byte elements.
template <class T>
std::vector<uint8_t> vecs(const std::vector<std::pair<int32_t, std::vector<T>>>& rows) {
  std::vector<uint8_t> out;
  for (const auto& [d, v] : rows) {
    const auto* h = reinterpret_cast<const uint8_t*>(&d);
    out.insert(out.end(), h, h + 4);
    const auto* p = reinterpret_cast<const uint8_t*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
  }
  return out;
}

TEST(Fvecs, ParsesVectors) {
  auto b = vecs<float>({{3, {1, 2, 3}}, {3, {4, 5, 6.5f}}});
  auto ds = parse_fvecs("a.fvecs", b.data(), b.size());
  ASSERT_TRUE(ds.is_ok()) << ds.message();
  EXPECT_EQ(ds->n, 2u);
  EXPECT_EQ(ds->d, 3u);
  EXPECT_EQ(ds->f32, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
}

TEST(Fvecs, EmptyFile) {
  EXPECT_EQ(parse_fvecs("a.fvecs", nullptr, 0).message(),
            "a.fvecs: empty file (0 bytes): expected at least one vector");
}

TEST(Fvecs, TruncatedVector) {
  auto b = vecs<float>({{784, std::vector<float>(784, 1.0f)}, {784, std::vector<float>(10, 1.0f)}});
  EXPECT_EQ(parse_fvecs("a.fvecs", b.data(), b.size()).message(),
            "a.fvecs: offset 3144 (vector 1): truncated: the vector needs 3136 bytes, 40 left");
}

TEST(Fvecs, TruncatedHeader) {
  auto b = vecs<float>({{2, {1, 2}}});
  b.push_back(7);
  b.push_back(0);
  EXPECT_EQ(parse_fvecs("a.fvecs", b.data(), b.size()).message(),
            "a.fvecs: offset 12 (vector 1): truncated: need 4 bytes for the dimension header, 2 left");
}

TEST(Fvecs, WrongDimensionHeader) {
  auto b = vecs<float>({{2, {1, 2}}, {2, {3, 4}}, {3, {5, 6, 7}}});
  EXPECT_EQ(parse_fvecs("a.fvecs", b.data(), b.size()).message(),
            "a.fvecs: offset 24 (vector 2): dimension header is 3, expected 2 (the dimension of vector 0)");
}

TEST(Fvecs, ZeroAndHugeDimension) {
  auto z = vecs<float>({{0, {}}});
  EXPECT_EQ(parse_fvecs("a.fvecs", z.data(), z.size()).message(),
            "a.fvecs: offset 0 (vector 0): dimension header is 0, expected a positive dimension");
  auto h = vecs<float>({{INT32_MIN, {}}});  // 2^31 read as int32
  EXPECT_EQ(parse_fvecs("a.fvecs", h.data(), h.size()).message(),
            "a.fvecs: offset 0 (vector 0): dimension header is -2147483648, expected a positive dimension");
  auto big = vecs<float>({{1 << 21, {}}});
  EXPECT_EQ(parse_fvecs("a.fvecs", big.data(), big.size()).message(),
            "a.fvecs: offset 0 (vector 0): dimension header is 2097152, which exceeds the maximum 1048576");
}

TEST(Fvecs, NaNAndInfinity) {
  auto b = vecs<float>({{2, {1, 2}}, {2, {3, std::numeric_limits<float>::quiet_NaN()}}});
  EXPECT_EQ(parse_fvecs("a.fvecs", b.data(), b.size()).message(),
            "a.fvecs: offset 20 (vector 1, component 1): NaN is not a valid coordinate");
  auto c = vecs<float>({{2, {-std::numeric_limits<float>::infinity(), 2}}});
  EXPECT_EQ(parse_fvecs("a.fvecs", c.data(), c.size()).message(),
            "a.fvecs: offset 4 (vector 0, component 0): infinity is not a valid coordinate");
}

TEST(Bvecs, ParsesBytesAndReportsTruncation) {
  auto b = vecs<uint8_t>({{4, {1, 2, 3, 255}}, {4, {0, 0, 0, 9}}});
  auto ds = parse_bvecs("a.bvecs", b.data(), b.size());
  ASSERT_TRUE(ds.is_ok());
  EXPECT_EQ(ds->dtype, DType::U8);
  EXPECT_EQ(ds->u8, (std::vector<uint8_t>{1, 2, 3, 255, 0, 0, 0, 9}));
  b.pop_back();
  EXPECT_EQ(parse_bvecs("a.bvecs", b.data(), b.size()).message(),
            "a.bvecs: offset 12 (vector 1): truncated: the vector needs 4 bytes, 3 left");
}

TEST(Ivecs, ParsesIdsAndVectors) {
  auto b = vecs<int32_t>({{2, {5, -7}}, {2, {1 << 20, 0}}});
  auto m = parse_ivecs("g.ivecs", b.data(), b.size());
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->v, (std::vector<int32_t>{5, -7, 1 << 20, 0}));
  auto ds = parse_ivecs_vectors("g.ivecs", b.data(), b.size());
  ASSERT_TRUE(ds.is_ok());
  EXPECT_EQ(ds->f32, (std::vector<float>{5, -7, 1 << 20, 0}));
  auto big = vecs<int32_t>({{1, {(1 << 24) + 1}}});
  EXPECT_EQ(parse_ivecs_vectors("g.ivecs", big.data(), big.size()).message(),
            "g.ivecs: offset 4 (vector 0, component 0): integer 16777217 is not exactly representable as float32");
}

std::vector<uint8_t> npy(const std::string& header_dict, const std::vector<uint8_t>& data, int major = 1) {
  std::string h = header_dict;
  const size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  const uint32_t len = uint32_t(h.size());
  out.push_back(uint8_t(len & 0xFF));
  out.push_back(uint8_t(len >> 8));
  if (major != 1) {
    out.push_back(0);
    out.push_back(0);
  }
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  return std::vector<uint8_t>(p, p + v.size() * 4);
}

TEST(Npy, ParsesFloat32AndUint8AndImages) {
  auto f = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", float_bytes({1, 2, 3, 4, 5, 6}));
  auto ds = parse_npy("x.npy", f.data(), f.size());
  ASSERT_TRUE(ds.is_ok()) << ds.message();
  EXPECT_EQ(ds->n, 2u);
  EXPECT_EQ(ds->d, 3u);
  EXPECT_EQ(ds->f32[5], 6.0f);
  auto u = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), }", std::vector<uint8_t>(12, 7), 2);
  auto img = parse_npy("x.npy", u.data(), u.size());
  ASSERT_TRUE(img.is_ok()) << img.message();
  EXPECT_EQ(img->dtype, DType::U8);
  EXPECT_EQ(img->d, 4u);
  EXPECT_EQ(img->image_h, 2u);
  EXPECT_EQ(img->image_w, 2u);
}

template <class T>
std::vector<uint8_t> raw_bytes(const std::vector<T>& v, bool big = false) {
  std::vector<uint8_t> out;
  for (const T& x : v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &x, sizeof(T));
    if (big) std::reverse(b, b + sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
  }
  return out;
}

Dataset npy_ok(const std::string& descr, bool fortran, const std::string& shape, const std::vector<uint8_t>& data) {
  auto f = npy(cat("{'descr': '", descr, "', 'fortran_order': ", fortran ? "True" : "False", ", 'shape': ", shape, ", }"), data);
  auto ds = parse_npy("x.npy", f.data(), f.size());
  EXPECT_TRUE(ds.is_ok()) << descr << ": " << ds.message();
  return ds.is_ok() ? std::move(ds).value() : Dataset{};
}

// numpy's defaults: float64, float16, int8/16/32/64, unsigned, big-endian, Fortran order, all read
// as float32 with a one-line note of what was converted.
TEST(Npy, NumpysOtherTypesAndOrdersBecomeFloat32WithANote) {
  const std::vector<float> want = {1, -2, 3, 4, 5, 6};
  Dataset f8 = npy_ok("<f8", false, "(2, 3)", raw_bytes<double>({1, -2, 3, 4, 5, 6}));
  EXPECT_EQ(f8.dtype, DType::F32);
  EXPECT_EQ(f8.f32, want);
  EXPECT_EQ(f8.note, "converted from float64 to float32");
  Dataset be = npy_ok(">f4", false, "(2, 3)", raw_bytes<float>({1, -2, 3, 4, 5, 6}, true));
  EXPECT_EQ(be.f32, want);
  EXPECT_EQ(be.note, "converted from big-endian");
  // Column-major: the file holds column 0 (1, 4), column 1 (-2, 5), column 2 (3, 6).
  Dataset fo = npy_ok("<f4", true, "(2, 3)", raw_bytes<float>({1, 4, -2, 5, 3, 6}));
  EXPECT_EQ(fo.f32, want);
  EXPECT_EQ(fo.note, "converted from Fortran (column-major) order");
  EXPECT_EQ(npy_ok("<i4", false, "(2, 3)", raw_bytes<int32_t>({1, -2, 3, 4, 5, 6})).f32, want);
  EXPECT_EQ(npy_ok(">i8", false, "(2, 3)", raw_bytes<int64_t>({1, -2, 3, 4, 5, 6}, true)).note,
            "converted from int64 to float32, from big-endian");
  EXPECT_EQ(npy_ok("|i1", false, "(2, 3)", raw_bytes<int8_t>({1, -2, 3, 4, 5, 6})).f32, want);
  EXPECT_EQ(npy_ok("<i2", false, "(2, 3)", raw_bytes<int16_t>({1, -2, 3, 4, 5, 6})).f32, want);
  EXPECT_EQ(npy_ok("<u2", false, "(1, 3)", raw_bytes<uint16_t>({1, 65535, 3})).f32, (std::vector<float>{1, 65535, 3}));
  // float16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, a subnormal 2^-24 = 0x0001.
  Dataset h = npy_ok("<f2", false, "(1, 4)", raw_bytes<uint16_t>({0x3C00, 0xC000, 0x3800, 0x0001}));
  EXPECT_EQ(h.f32, (std::vector<float>{1, -2, 0.5f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(h.note, "converted from float16 to float32");
  // uint8 in C order stays bytes, with nothing to say; in Fortran order it is converted.
  Dataset u = npy_ok("|u1", false, "(1, 2)", {7, 9});
  EXPECT_EQ(u.dtype, DType::U8);
  EXPECT_TRUE(u.note.empty());
  EXPECT_EQ(npy_ok("|u1", true, "(2, 2)", {1, 3, 2, 4}).f32, (std::vector<float>{1, 2, 3, 4}));
  // Rounding is said; a value beyond float32 is refused with its place.
  EXPECT_EQ(npy_ok("<f8", false, "(1, 1)", raw_bytes<double>({0.1})).note,
            "converted from float64 to float32 (some values rounded to the nearest float32)");
  auto huge = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", raw_bytes<double>({1, 1e300}));
  EXPECT_EQ(parse_npy("x.npy", huge.data(), huge.size()).message(),
            "x.npy: offset 136 (vector 0, component 1): 1e+300 does not fit in float32");
}

TEST(Npy, WrongDtypeAndShape) {
  auto f = npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1), }", std::vector<uint8_t>(8, 0));
  EXPECT_EQ(parse_npy("x.npy", f.data(), f.size()).message(),
            "x.npy: offset 10: dtype '<c8' is not supported: expected a float (f2, f4, f8) or an integer (i1..i8, "
            "u1..u8) type");
  auto one = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", float_bytes({1, 2, 3}));
  EXPECT_EQ(parse_npy("x.npy", one.data(), one.size()).message(),
            "x.npy: offset 10: expected a 2-D array (n, d), got shape (3,)");
}

TEST(Npy, BadMagicTruncated) {
  auto bad = test::bytes_of("not a numpy file at all");
  EXPECT_EQ(parse_npy("x.npy", bad.data(), bad.size()).message(),
            "x.npy: offset 0: not a .npy file: expected the magic \\x93NUMPY");
  auto t = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", float_bytes({1, 2, 3, 4}));
  EXPECT_EQ(parse_npy("x.npy", t.data(), t.size()).message(),
            "x.npy: offset 128: truncated: the data holds 16 bytes, expected 24 for shape (2, 3) of float32");
}

TEST(Npy, NaNAndZeroDimension) {
  auto f = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
               float_bytes({1, std::numeric_limits<float>::quiet_NaN()}));
  EXPECT_EQ(parse_npy("x.npy", f.data(), f.size()).message(),
            "x.npy: offset 132 (vector 0, component 1): NaN is not a valid coordinate");
  auto z = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }", {});
  EXPECT_EQ(parse_npy("x.npy", z.data(), z.size()).message(), "x.npy: offset 10: dimension 0: expected at least 1");
}

Result<Dataset> csv(const std::string& text) {
  auto b = test::bytes_of(text);
  return parse_csv("v.csv", b.data(), b.size());
}

TEST(Csv, ParsesWithAndWithoutHeaderAndCrlf) {
  auto a = csv("x,y\r\n1,2\r\n3.5, -4e1\r\n\r\n");
  ASSERT_TRUE(a.is_ok()) << a.message();
  EXPECT_EQ(a->n, 2u);
  EXPECT_EQ(a->f32, (std::vector<float>{1, 2, 3.5f, -40}));
  auto b = csv("1,2,3\n4,5,6");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->n, 2u);
  EXPECT_EQ(b->d, 3u);
}

TEST(Csv, RaggedRow) {
  EXPECT_EQ(csv("1,2,3\n4,5,6\n7,8\n").message(), "v.csv:3: expected 3 values (as in the first row), found 2");
}

TEST(Csv, BadNumberNaNEmptyRow) {
  EXPECT_EQ(csv("1,2\n3,abc\n").message(), "v.csv:2: column 2: 'abc' is not a number");
  EXPECT_EQ(csv("1,2\n3,nan\n").message(), "v.csv:2: column 2: 'nan' is NaN, not a valid coordinate");
  EXPECT_EQ(csv("1,2\n3,1e39\n").message(),
            "v.csv:2: column 2: '1e39' is infinite or outside the float32 range, not a valid coordinate");
  EXPECT_EQ(csv("1,2\n\n3,4\n").message(), "v.csv:2: empty row: expected 2 comma-separated numbers");
  EXPECT_EQ(csv("1,,2\n").message(), "v.csv:1: column 2: '' is not a number");
}

TEST(Csv, EmptyOrHeaderOnly) {
  EXPECT_EQ(csv("").message(), "v.csv: empty file: expected at least one vector");
  EXPECT_EQ(csv("a,b\n").message(), "v.csv: no data rows: expected at least one vector");
}

TEST(Alds, RoundTripsBytesLabelsAndImageShape) {
  Dataset ds;
  ds.name = "t";
  ds.n = 3;
  ds.d = 4;
  ds.dtype = DType::U8;
  ds.u8 = test::random_bytes(3, 4, 1);
  ds.labels = {1, 2, 3};
  ds.image_h = ds.image_w = 2;
  auto bytes = to_alds(ds);
  auto back = parse_alds("t.alds", bytes.data(), bytes.size());
  ASSERT_TRUE(back.is_ok()) << back.message();
  EXPECT_EQ(back->u8, ds.u8);
  EXPECT_EQ(back->labels, ds.labels);
  EXPECT_EQ(back->image_w, 2u);
}

TEST(Alds, CorruptedTruncatedFutureVersion) {
  Dataset ds;
  ds.n = 2;
  ds.d = 2;
  ds.f32 = {1, 2, 3, 4};
  auto bytes = to_alds(ds);
  auto flipped = bytes;
  flipped[45] ^= 0x10;
  EXPECT_EQ(parse_alds("t.alds", flipped.data(), flipped.size()).message().substr(0, 42),
            "t.alds: offset 56: checksum mismatch (stor");
  EXPECT_EQ(parse_alds("t.alds", bytes.data(), bytes.size() - 3).message(),
            "t.alds: offset 57: truncated: the header promises 60 bytes in all, the file has 57");
  auto future = bytes;
  future[8] = 2;
  EXPECT_EQ(parse_alds("t.alds", future.data(), future.size()).message(),
            "t.alds: offset 8: format version 2 is not supported: this build reads version 1");
  auto other = test::bytes_of("ANNLABIX and more bytes");
  EXPECT_EQ(parse_alds("t.alds", other.data(), other.size()).message(),
            "t.alds: offset 0: not an annlab dataset file: expected the magic 'ANNLABDS'");
}

TEST(Files, LoadByExtensionAndRoundTrip) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const std::string p = test::temp_path("x.fvecs");
  ASSERT_TRUE(save_fvecs(p, VectorView::of(x.data(), 2, 3)).is_ok());
  auto ds = load_vectors(p);
  ASSERT_TRUE(ds.is_ok()) << ds.message();
  EXPECT_EQ(ds->f32, x);
  IntMatrix m{2, 2, {1, 2, 3, 4}};
  const std::string g = test::temp_path("g.ivecs");
  ASSERT_TRUE(save_ivecs(g, m).is_ok());
  EXPECT_EQ(load_ivecs(g)->v, m.v);
  EXPECT_EQ(load_vectors("/nonexistent/dir/x.fvecs").message(),
            "cannot open '/nonexistent/dir/x.fvecs': No such file or directory");
  EXPECT_EQ(load_vectors("data.txt").message(),
            "data.txt: unknown file extension '.txt': expected .fvecs, .ivecs, .bvecs, .npy, .csv or .alds");
}


// ---- labels files ----

std::vector<uint8_t> text_bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(Labels, ReadsEachFormat) {
  auto iv = vecs<int32_t>({{1, {3}}, {1, {0}}, {1, {9}}});
  auto a = parse_labels("y.ivecs", iv.data(), iv.size());
  ASSERT_TRUE(a.is_ok()) << a.message();
  EXPECT_EQ(a.value(), (std::vector<int32_t>{3, 0, 9}));
  auto n1 = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", raw_bytes<int64_t>({4, 1, 2}));
  auto b = parse_labels("y.npy", n1.data(), n1.size());
  ASSERT_TRUE(b.is_ok()) << b.message();
  EXPECT_EQ(b.value(), (std::vector<int32_t>{4, 1, 2}));
  auto n2 = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1), }", std::vector<uint8_t>{7, 8});
  auto c = parse_labels("y.npy", n2.data(), n2.size());
  ASSERT_TRUE(c.is_ok()) << c.message();
  EXPECT_EQ(c.value(), (std::vector<int32_t>{7, 8}));
  auto csv = text_bytes("label\r\n5\n6\n\n");
  auto d = parse_labels("y.csv", csv.data(), csv.size());
  ASSERT_TRUE(d.is_ok()) << d.message();
  EXPECT_EQ(d.value(), (std::vector<int32_t>{5, 6}));
}

TEST(Labels, BadFilesNameTheProblem) {
  auto wide = vecs<int32_t>({{2, {1, 2}}});
  EXPECT_EQ(parse_labels("y.ivecs", wide.data(), wide.size()).message(),
            "y.ivecs: offset 0: vectors of 2 integers: a labels file holds one per vector (d = 1)");
  auto neg = vecs<int32_t>({{1, {1}}, {1, {-2}}});
  EXPECT_EQ(parse_labels("y.ivecs", neg.data(), neg.size()).message(),
            "y.ivecs: offset 12 (vector 1): -2 is not a label: expected a whole number from 0 to 2147483647");
  auto fl = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", float_bytes({1, 2}));
  EXPECT_EQ(parse_labels("y.npy", fl.data(), fl.size()).message(),
            "y.npy: offset 10: dtype '<f4': labels are integers (i1..i8, u1..u8)");
  auto m = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", raw_bytes<int32_t>({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(parse_labels("y.npy", m.data(), m.size()).message(),
            "y.npy: offset 10: labels are a 1-D array (n,) or (n, 1), got shape (2, 3)");
  auto two = text_bytes("1\n2,3\n");
  EXPECT_EQ(parse_labels("y.csv", two.data(), two.size()).message(),
            "y.csv:2: '2,3' has several columns: a labels file has one label per line");
  auto word = text_bytes("1\nshirt\n");
  EXPECT_EQ(parse_labels("y.csv", word.data(), word.size()).message(), "y.csv:2: 'shirt' is not a number: expected one label per line");
  auto frac = text_bytes("1.5\n");
  EXPECT_EQ(parse_labels("y.csv", frac.data(), frac.size()).message(),
            "y.csv:1: 1.5 is not a label: expected a whole number from 0 to 2147483647");
  EXPECT_EQ(parse_labels("y.png", nullptr, 0).message(), "y.png: unknown labels file extension '.png': expected .ivecs, .npy, .csv or .txt");
  auto empty = text_bytes("label\n");
  EXPECT_EQ(parse_labels("y.csv", empty.data(), empty.size()).message(), "y.csv: the file holds no labels");
}
}  // namespace
}  // namespace annlab
