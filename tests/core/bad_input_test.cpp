// The bad-input matrix, core API side: each case is one bad input and the exact message it gets.
// After every case, what was loaded before (a data set and an index) still answers a query.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <limits>
#include <string>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "annlab/memory.h"
#include "test_util.h"

namespace annlab {
namespace {

struct Case {
  const char* name;
  std::function<std::string()> run;  // returns the error message ("" when there was none)
  std::string expected;
};

std::vector<uint8_t> fvecs_header(int32_t d, size_t floats) {
  std::vector<uint8_t> b(4 + 4 * floats, 0);
  std::memcpy(b.data(), &d, 4);
  return b;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    data = make_gaussian_blobs(300, 8, 4, 1.0, 5).value();
    index = make_index("LSH4x3", 8).value();
    ASSERT_TRUE(index->train(data.view()).is_ok());
    ASSERT_TRUE(index->add(data.view()).is_ok());
    file = serialize_index(*index).value();
    q.assign(data.f32.begin(), data.f32.begin() + 8);
  }
  std::string search_msg(const VectorView& qv, size_t k, const SearchParams& p = {}) {
    SearchResult r;
    return index->search(qv, k, p, &r).message();
  }
  void expect_still_answers() {
    SearchResult r;
    ASSERT_TRUE(index->search(VectorView::of(q.data(), 1, 8), 5, {}, &r).is_ok());
    EXPECT_EQ(r.ids[0], 0);  // query 0 is base point 0
    EXPECT_EQ(data.n, 300u);
  }
  Dataset data;
  std::unique_ptr<Index> index;
  std::vector<uint8_t> file;
  std::vector<float> q;
};

TEST_F(BadInput, EveryCaseGetsItsExactMessageAndNothingIsLost) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<Case> cases = {
      {"empty .fvecs", [] { return parse_fvecs("e.fvecs", nullptr, 0).message(); },
       "e.fvecs: empty file (0 bytes): expected at least one vector"},
      {"empty .csv", [] { return parse_csv("e.csv", nullptr, 0).message(); },
       "e.csv: empty file: expected at least one vector"},
      {"empty index file", [] { return deserialize_index("e.annlab", nullptr, 0).message(); },
       "e.annlab: empty file (0 bytes): expected an annlab index"},
      {"d = 784 header with a short row",
       [] { auto b = fvecs_header(784, 700); return parse_fvecs("s.fvecs", b.data(), b.size()).message(); },
       "s.fvecs: offset 4 (vector 0): truncated: the vector needs 3136 bytes, 2800 left"},
      {"d = 0", [] { auto b = fvecs_header(0, 0); return parse_fvecs("z.fvecs", b.data(), b.size()).message(); },
       "z.fvecs: offset 0 (vector 0): dimension header is 0, expected a positive dimension"},
      {"d = 2^31", [] { auto b = fvecs_header(INT32_MIN, 4); return parse_fvecs("h.fvecs", b.data(), b.size()).message(); },
       "h.fvecs: offset 0 (vector 0): dimension header is -2147483648, expected a positive dimension"},
      {"NaN in a vector", [&] {
         auto b = fvecs_header(2, 2);
         std::memcpy(b.data() + 8, &nan, 4);
         return parse_fvecs("n.fvecs", b.data(), b.size()).message(); },
       "n.fvecs: offset 8 (vector 0, component 1): NaN is not a valid coordinate"},
      {"Inf in a CSV", [] { auto b = test::bytes_of("1,inf\n"); return parse_csv("i.csv", b.data(), b.size()).message(); },
       "i.csv:1: column 2: 'inf' is infinite or outside the float32 range, not a valid coordinate"},
      {"Inf in a query", [&] { std::vector<float> x(8, 0); x[3] = inf; return search_msg(VectorView::of(x.data(), 1, 8), 5); },
       "query vector 0, component 3: infinity is not a valid coordinate"},
      {"labels count != vectors count", [] {
         Dataset ds = make_uniform(10, 2, 1).value();
         return ds.set_labels(std::vector<int32_t>(9, 0)).message(); },
       "labels count 9 != vectors count 10"},
      {"k = 0", [&] { return search_msg(VectorView::of(q.data(), 1, 8), 0); }, "k = 0: ask for at least one neighbour"},
      {"k > n", [&] { return search_msg(VectorView::of(q.data(), 1, 8), 301); },
       "k = 301 exceeds the number of indexed vectors (300)"},
      {"query dimension != index dimension", [&] { return search_msg(VectorView::of(q.data(), 1, 7), 5); },
       "query dimension 7 != index dimension 8"},
      {"index file of another type (a dataset)", [&] {
         auto b = to_alds(data);
         return deserialize_index("d.annlab", b.data(), b.size()).message(); },
       "d.annlab: offset 0: this is an annlab dataset file (.alds), not an index file"},
      {"index file of another type (vectors)", [&] {
         auto b = to_fvecs(data.view());
         return deserialize_index("v.annlab", b.data(), b.size()).message(); },
       "v.annlab: offset 0: not an annlab index file: expected the magic 'ANNLABIX'"},
      {"truncated index file", [&] {
         return deserialize_index("t.annlab", file.data(), 30).message(); },
       "t.annlab: offset 24: truncated while reading vector count: need 8 bytes, 6 left"},
      {"bit-flipped index file", [&] {
         auto b = file;
         b[b.size() / 2] ^= 0x04;
         const std::string m = deserialize_index("f.annlab", b.data(), b.size()).message();
         return m.substr(0, m.find(" (stored")); },
       "f.annlab: offset " + std::to_string(file.size() - 4) + ": checksum mismatch"},
      {"future format version", [&] {
         auto b = file;
         b[8] = 3;
         return deserialize_index("v3.annlab", b.data(), b.size()).message(); },
       "v3.annlab: offset 8: format version 3 is newer than this build reads (2): update annlab"},
      {"unknown factory string", [] { return make_index("HSNW32", 8).message(); },
       "unknown index description 'HSNW32': expected one of Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, "
       "IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, "
       "Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, NPHash<bits>, Router<nclusters>"},
      {"parameter out of range", [] {
         BuildParams b;
         SearchParams s;
         return apply_param("bucket_size=0", &b, &s).message(); },
       "parameter bucket_size = 0 is out of range [1, 2147483648]"},
      {"search parameter the index does not take", [&] {
         SearchParams p;
         p.efSearch = 10;
         return search_msg(VectorView::of(q.data(), 1, 8), 5, p); },
       "search parameter 'efSearch' does not apply to LSH4x3 (it takes probes)"},
      {"CSV with a ragged row", [] { auto b = test::bytes_of("1,2\n3\n"); return parse_csv("r.csv", b.data(), b.size()).message(); },
       "r.csv:2: expected 2 values (as in the first row), found 1"},
      {"absurd index configuration", [] { return make_index("LSH99x4", 8).message(); },
       "index description 'LSH99x4': b = 99 is out of range [1, 64]"},
      {"a data set larger than the memory there is", [] {
         set_memory_limit(size_t(100) << 20);
         const std::string m = make_gaussian_blobs(1'000'000, 128, 4, 1.0, 1).message();
         set_memory_limit(std::nullopt);
         return m; },
       "generating 1000000 x 128 vectors needs 512.0 MB, 104.9 MB available"},
      {"an index larger than the memory there is", [&] {
         set_memory_limit(size_t(1) << 10);
         auto big = make_index("Flat", 8).value();
         const std::string m = big->add(data.view()).message();
         set_memory_limit(std::nullopt);
         return m; },
       "storing 300 vectors of dimension 8 needs 9.6 KB, 1.0 KB available"},
      {"sizes that overflow", [] { return checked_bytes("codes", uint64_t(1) << 40, uint64_t(1) << 30, 64).message(); },
       "codes: 1099511627776 x 1073741824 x 64 bytes overflows 64 bits"},
  };
  int passed = 0;
  for (const Case& c : cases) {
    const std::string got = c.run();
    EXPECT_EQ(got, c.expected) << c.name;
    passed += got == c.expected;
    expect_still_answers();
  }
  EXPECT_EQ(passed, int(cases.size()));
  std::printf("bad-input matrix (core API): %d of %zu cases give their exact message\n", passed, cases.size());
}

}  // namespace
}  // namespace annlab
