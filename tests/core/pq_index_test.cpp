// PQ: ADC distances, rerank.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/pq_index.h"
#include "test_util.h"
#include "index/wrapper.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data32;

double recall(const Index& index, const SearchParams& p, const Data& d = data32()) { return test::recall10(index, p, d); }

TEST(Pq, AdcDistancesEqualDistancesToDecodedVectors) {
  const Data& d = data32();
  auto index = build("PQ8", d.base);
  const auto& pq = *find_inner<PqIndex>(*index);
  std::vector<float> table(8 * 256), dec(32);
  const float* q = d.query.f32.data();
  pq.quantizer().distance_table(q, table.data());
  for (size_t id = 0; id < 200; ++id) {
    const uint8_t* code = pq.codes().data() + id * 8;
    pq.quantizer().decode(code, dec.data());
    double exact = 0;
    for (size_t j = 0; j < 32; ++j) exact += double(q[j] - dec[j]) * (q[j] - dec[j]);
    EXPECT_NEAR(pq.quantizer().adc(table.data(), code), exact, 1e-4 * exact + 1e-4);
  }
}

TEST(Pq, RerankRaisesRecall) {
  const Data& d = data32();
  auto index = build("PQ8", d.base);
  SearchParams none, some;
  some.rerank = 100;
  const double a = recall(*index, none), b = recall(*index, some);
  EXPECT_GT(b, a);
  EXPECT_GT(b, 0.9);
}

}  // namespace
}  // namespace annlab
