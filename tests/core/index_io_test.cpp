#include "annlab/index_io.h"

#include <gtest/gtest.h>

#include "annlab/factory.h"
#include "annlab/io.h"
#include "test_util.h"

namespace annlab {
namespace {

std::unique_ptr<Index> built(const std::string& spec, size_t n = 300, size_t d = 8) {
  const auto x = test::random_floats(n, d, 42);
  auto index = make_index(spec, d).value();
  EXPECT_TRUE(index->train(VectorView::of(x.data(), n, d)).is_ok());
  EXPECT_TRUE(index->add(VectorView::of(x.data(), n, d)).is_ok());
  return index;
}

SearchResult answers(const Index& index) {
  const auto q = test::random_floats(20, index.dim(), 43);
  SearchResult r;
  EXPECT_TRUE(index.search(VectorView::of(q.data(), 20, index.dim()), 5, {}, &r).is_ok());
  return r;
}

class EveryIndex : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryIndex, SaveLoadGivesIdenticalResultsAndBytes) {
  auto index = built(GetParam());
  const std::string path = test::temp_path("index.annlab");
  ASSERT_TRUE(save_index(*index, path).is_ok());
  auto loaded = load_index(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.message();
  EXPECT_EQ(loaded.value()->describe(), index->describe());
  const SearchResult a = answers(*index), b = answers(*loaded.value());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  EXPECT_EQ(serialize_index(*loaded.value()).value(), serialize_index(*index).value());
}

TEST_P(EveryIndex, SameSeedGivesByteIdenticalFiles) {
  EXPECT_EQ(serialize_index(*built(GetParam())).value(), serialize_index(*built(GetParam())).value());
}

TEST_P(EveryIndex, EveryTruncationIsRejected) {
  const auto bytes = serialize_index(*built(GetParam(), 260, 4)).value();
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto r = deserialize_index("f", bytes.data(), len);
    ASSERT_FALSE(r.is_ok()) << "a file cut to " << len << " of " << bytes.size() << " bytes loaded";
  }
}

TEST_P(EveryIndex, EveryBitFlipIsRejected) {
  auto bytes = serialize_index(*built(GetParam(), 260, 4)).value();
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    for (int bit : {0, 7}) {
      bytes[pos] ^= uint8_t(1 << bit);
      auto r = deserialize_index("f", bytes.data(), bytes.size());
      ASSERT_FALSE(r.is_ok()) << "flipping bit " << bit << " of byte " << pos << " was not noticed";
      bytes[pos] ^= uint8_t(1 << bit);
    }
  }
  EXPECT_TRUE(deserialize_index("f", bytes.data(), bytes.size()).is_ok());
}

INSTANTIATE_TEST_SUITE_P(Indexes, EveryIndex,
                         ::testing::Values("Flat", "LSH6x3", "IVF4,Flat", "PQ2", "IVF4,PQ2", "OPQ2,IVF4,PQ2",
                                           "LOPQ4,PQ2", "KDTree8", "HNSW4", "E2LSH3x2", "SimHash32", "Tokens4x8"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == ',') c = '_';
                           return s;
                         });

TEST(IndexFile, ExactMessagesForBadFiles) {
  auto bytes = serialize_index(*built("LSH6x3", 20, 4)).value();
  EXPECT_EQ(deserialize_index("f.idx", bytes.data(), 0).message(), "f.idx: empty file (0 bytes): expected an annlab index");
  auto future = bytes;
  future[8] = 9;
  EXPECT_EQ(deserialize_index("f.idx", future.data(), future.size()).message(),
            "f.idx: offset 8: format version 9 is newer than this build reads (1): update annlab");
  EXPECT_EQ(deserialize_index("f.idx", bytes.data(), bytes.size() - 1).message(),
            // header: 32 fixed bytes + "LSH6x3" (4 + 6) + payload size (8) = 50
            "f.idx: offset 50: truncated: the header promises a " + std::to_string(bytes.size() - 54) +
                "-byte payload and a 4-byte checksum, " + std::to_string(bytes.size() - 51) + " bytes left");
  auto flipped = bytes;
  flipped[100] ^= 1;
  const std::string msg = deserialize_index("f.idx", flipped.data(), flipped.size()).message();
  EXPECT_EQ(msg.rfind("f.idx: offset " + std::to_string(bytes.size() - 4) + ": checksum mismatch (stored 0x", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("): the file is corrupted"), std::string::npos) << msg;
  Dataset ds;
  ds.n = 1;
  ds.d = 1;
  ds.f32 = {1};
  auto alds = to_alds(ds);
  EXPECT_EQ(deserialize_index("f.idx", alds.data(), alds.size()).message(),
            "f.idx: offset 0: this is an annlab dataset file (.alds), not an index file");
  const auto fv = to_fvecs(VectorView::of(ds.f32.data(), 1, 1));
  EXPECT_EQ(deserialize_index("f.idx", fv.data(), fv.size()).message(),
            "f.idx: offset 0: not an annlab index file: expected the magic 'ANNLABIX'");
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_EQ(deserialize_index("f.idx", trailing.data(), trailing.size()).message(),
            "f.idx: offset " + std::to_string(bytes.size()) + ": 1 unexpected bytes after the checksum");
}

}  // namespace
}  // namespace annlab
