#include "annlab/factory.h"

#include <gtest/gtest.h>

namespace annlab {
namespace {

TEST(Factory, EveryFormOfTheGrammarParsesAndRoundTrips) {
  const char* valid[] = {"Flat",           "LSH12x8",     "LSHx8",       "E2LSH4x10",         "KDTree32",
                         "IVF1024,Flat",   "PQ16",        "IVF256,PQ8",  "OPQ16,IVF4096,PQ16", "LOPQ64,PQ8",
                         "HNSW16",         "Tokens16x256", "SimHash256", "ITQ64",             "NPHash512",
                         "Router100"};
  for (const char* s : valid) {
    auto spec = parse_index_spec(s);
    ASSERT_TRUE(spec.is_ok()) << s << ": " << spec.message();
    EXPECT_EQ(spec->to_string(), s);
    EXPECT_EQ(parse_index_spec(spec->to_string()).value(), spec.value());
  }
  EXPECT_EQ(parse_index_spec("  LSH4x2 ").value().to_string(), "LSH4x2");
}

TEST(Factory, InvalidStringsGetExactMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"Foo", "unknown index description 'Foo': expected one of Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, "
              "IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, "
              "Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, NPHash<bits>, Router<nclusters>"},
      {"lsh12x8", "unknown index description 'lsh12x8': names are case-sensitive; did you mean 'LSH12x8'?"},
      {"LSH0x8", "index description 'LSH0x8': b = 0 is out of range [1, 64]"},
      {"LSH65x8", "index description 'LSH65x8': b = 65 is out of range [1, 64]"},
      {"LSH8x0", "index description 'LSH8x0': L = 0 is out of range [1, 1024]"},
      {"HNSW1", "index description 'HNSW1': M = 1 is out of range [2, 1024]"},
      {"SimHash0", "index description 'SimHash0': bits = 0 is out of range [32, 1024]"},
      {"ITQ65536", "index description 'ITQ65536': bits = 65536 is out of range [32, 1024]"},
      {"OPQ8,IVF64,PQ16", "index description 'OPQ8,IVF64,PQ16': M = 8 and M = 16 differ: the OPQ rotation and the PQ "
                          "must cut the vector into the same number of sub-vectors"},
      {"LSH8x", "unknown index description 'LSH8x': expected one of Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, "
                "IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, "
                "Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, NPHash<bits>, Router<nclusters>"},
      {"", "unknown index description '': expected one of Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, "
           "IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, "
           "Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, NPHash<bits>, Router<nclusters>"},
  };
  for (const auto& [s, msg] : cases) EXPECT_EQ(parse_index_spec(s).message(), msg) << s;
}

TEST(Factory, MakesImplementedIndexesThatDescribeThemselvesBack) {
  for (const char* s : {"Flat", "LSH12x8", "LSHx3", "IVF64,Flat", "PQ4", "IVF16,PQ8", "KDTree8", "HNSW16", "Tokens4x16"}) {
    auto index = make_index(s, 16);
    ASSERT_TRUE(index.is_ok()) << index.message();
    EXPECT_EQ(index.value()->describe(), s);
    EXPECT_EQ(index.value()->dim(), 16u);
  }
}

TEST(Factory, RefusesWhatThisBuildDoesNotHave) {
  EXPECT_EQ(make_index("Tokens5x16", 8).message(), "Tokens5x16: dimension 8 is not divisible by g = 5");
  EXPECT_EQ(make_index("Flat", 0).message(), "dimension 0 is outside 1..1048576");
  BuildParams bp;
  bp.bucket_size = 8;
  EXPECT_EQ(make_index("LSH12x8", 8, bp).message(),
            "build parameter 'bucket_size' does not apply to LSH12x8 (only to LSH with b left out, e.g. 'LSHx8')");
  EXPECT_TRUE(make_index("LSHx8", 8, bp).is_ok());
  BuildParams ef;
  ef.efConstruction = 100;
  EXPECT_EQ(make_index("Flat", 8, ef).message(), "build parameter 'efConstruction' does not apply to Flat");
}

#if GTEST_HAS_DEATH_TEST
// A broken invariant of the caller's: value() of an error Result aborts, naming the caller's file
// and line and the error (status.h's promise; the WebAssembly build has no death tests).
TEST(Status, ValueOfAnErrorResultAbortsWithTheCallersFileAndLine) {
  const Result<int> r = Status::error("boom");
  EXPECT_DEATH((void)r.value(), "value\\(\\) of an error Result at .*factory_test.cpp:[0-9]+: boom");
  EXPECT_DEATH((void)make_index("Foo", 4).value(), "factory_test.cpp:[0-9]+: unknown index description 'Foo'");
}
#endif

}  // namespace
}  // namespace annlab
