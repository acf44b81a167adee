#include "annlab/params.h"

#include <gtest/gtest.h>

namespace annlab {
namespace {

TEST(Params, AppliesBuildAndSearchAssignments) {
  BuildParams b;
  SearchParams s;
  ASSERT_TRUE(apply_param("seed=99", &b, &s).is_ok());
  ASSERT_TRUE(apply_param("nprobe=16", &b, &s).is_ok());
  ASSERT_TRUE(apply_param("scoring=bm25", &b, &s).is_ok());
  ASSERT_TRUE(apply_param("w=2.5", &b, &s).is_ok());
  EXPECT_EQ(b.seed, 99u);
  EXPECT_EQ(*s.nprobe, 16);
  EXPECT_EQ(*s.scoring, "bm25");
  EXPECT_EQ(*b.w, 2.5);
  EXPECT_EQ(describe_params(b, s), "w=2.5 nprobe=16 scoring=bm25");
  EXPECT_TRUE(is_build_param("efConstruction"));
  EXPECT_TRUE(is_search_param("efSearch"));
  EXPECT_FALSE(is_search_param("seed"));
}

TEST(Params, RejectsWithExactMessages) {
  BuildParams b;
  SearchParams s;
  EXPECT_EQ(apply_param("nprobe", &b, &s).message(), "parameter 'nprobe' is not of the form name=value");
  EXPECT_EQ(apply_param("nprobe=0", &b, &s).message(), "parameter nprobe = 0 is out of range [1, 2147483648]");
  EXPECT_EQ(apply_param("nprobe=abc", &b, &s).message(), "parameter nprobe: 'abc' is not an integer");
  EXPECT_EQ(apply_param("w=-1", &b, &s).message(), "parameter w = -1 is out of range: it must be > 0");
  EXPECT_EQ(apply_param("w=nan", &b, &s).message(), "parameter w: 'nan' is not a finite number");
  EXPECT_EQ(apply_param("seed=-3", &b, &s).message(), "parameter seed: '-3' is not an unsigned 64-bit integer");
  EXPECT_EQ(apply_param("scoring=cosine", &b, &s).message(), "parameter scoring: 'cosine' is not one of tfidf, bm25");
  EXPECT_EQ(apply_param("nrpobe=3", &b, &s).message(),
            "unknown parameter 'nrpobe' (known: build: seed bucket_size efConstruction w model ; search: nprobe efSearch "
            "probes rerank leaves scoring max_query_terms min_doc_freq label)");
  EXPECT_FALSE(s.nprobe.has_value());
}

}  // namespace
}  // namespace annlab
