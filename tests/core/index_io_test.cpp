#include "annlab/index_io.h"

#include <gtest/gtest.h>

#include "annlab/factory.h"
#include "annlab/io.h"
#include "index/pq_index.h"
#include "annlab/vector_store.h"
#include "test_util.h"
#include "index/wrapper.h"

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
            "f.idx: offset 8: format version 9 is newer than this build reads (2): update annlab");
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

// An index sharing the caller's base vectors: memory, reference files, embedded files.
struct Shared {
  std::vector<float> x = test::random_floats(300, 8, 42);
  std::shared_ptr<VectorStore> base = std::make_shared<VectorStore>(8);
  Shared() { EXPECT_TRUE(base->add(VectorView::of(x.data(), 300, 8)).is_ok()); }
  std::unique_ptr<Index> build(const std::string& spec) const {
    auto index = make_index(spec, 8).value();
    EXPECT_TRUE(as_refinable(*index)->share_base(base).is_ok());
    EXPECT_TRUE(index->train(VectorView::of(x.data(), 300, 8)).is_ok());
    EXPECT_TRUE(index->add(VectorView::of(x.data(), 300, 8)).is_ok());
    return index;
  }
};

TEST(SharedBase, AnIndexCountsOnlyWhatItOwns) {
  Shared s;
  auto own = built("PQ2"), shared = s.build("PQ2");
  const auto& pq = *find_inner<PqIndex>(*shared);
  EXPECT_EQ(shared->memory_bytes(), pq.codes().size() + pq.quantizer().codebooks().size() * 4);
  EXPECT_EQ(own->memory_bytes(), shared->memory_bytes() + 300 * 8 * 4);
  EXPECT_TRUE(as_refinable(*shared)->base_vectors().shared());
  // Same answers with rerank: the same vectors, read from the shared store.
  SearchParams p;
  p.rerank = 20;
  const auto q = test::random_floats(20, 8, 43);
  SearchResult a, b;
  ASSERT_TRUE(own->search(VectorView::of(q.data(), 20, 8), 5, p, &a).is_ok());
  ASSERT_TRUE(shared->search(VectorView::of(q.data(), 20, 8), 5, p, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  // Every index that can share: its own copy costs exactly the vectors' bytes more.
  for (const char* spec : {"Flat", "PQ2", "IVF4,PQ2", "OPQ2,IVF4,PQ2", "LOPQ4,PQ2", "SimHash32", "Tokens4x8", "LSH6x3",
                           "E2LSH3x2", "KDTree8", "HNSW4"}) {
    EXPECT_EQ(built(spec)->memory_bytes(), s.build(spec)->memory_bytes() + 300 * 8 * 4) << spec;
  }
}

TEST(SharedBase, FilesReferToTheBaseOrEmbedIt) {
  Shared s;
  for (const char* spec : {"Flat", "PQ2", "IVF4,PQ2", "SimHash32", "Tokens4x8", "LSH6x3", "KDTree8", "HNSW4"}) {
    SCOPED_TRACE(spec);
    auto index = s.build(spec);
    const auto ref = serialize_index(*index).value();
    const auto embedded = serialize_index(*index, true).value();
    EXPECT_LT(ref.size() + 300 * 8 * 4 - 200, embedded.size());  // the reference is small
    EXPECT_EQ(ref[12], kIndexFlagRefersToBase);
    EXPECT_EQ(embedded[12], 0);
    // A standalone file is the file of the same index holding its own copy.
    EXPECT_EQ(embedded, serialize_index(*built(spec)).value());
    auto alone = deserialize_index("e.annlab", embedded.data(), embedded.size());
    ASSERT_TRUE(alone.is_ok()) << alone.message();
    EXPECT_EQ(answers(*alone.value()).ids, answers(*index).ids);
    // By reference: only with the same base vectors.
    auto with = deserialize_index("r.annlab", ref.data(), ref.size(), s.base);
    ASSERT_TRUE(with.is_ok()) << with.message();
    EXPECT_EQ(answers(*with.value()).ids, answers(*index).ids);
    EXPECT_EQ(serialize_index(*with.value()).value(), ref);
    const std::string sha = s.base->sha256(300);
    const std::string what = "the index re-ranks with the 300 base vectors of dimension 8 (float32, sha256 " +
                             sha.substr(0, 16) + "...)";
    const std::string msg = deserialize_index("r.annlab", ref.data(), ref.size()).message();
    EXPECT_NE(msg.find(what + " it was built on and the file does not hold them: load it together with them"),
              std::string::npos) << msg;
    EXPECT_EQ(msg.rfind("r.annlab: " + std::string(spec) + ": offset ", 0), 0u) << msg;
    auto other = std::make_shared<VectorStore>(8);
    const auto y = test::random_floats(300, 8, 99);
    ASSERT_TRUE(other->add(VectorView::of(y.data(), 300, 8)).is_ok());
    const std::string msg2 = deserialize_index("r.annlab", ref.data(), ref.size(), other).message();
    EXPECT_NE(msg2.find(what + " it was built on; the base vectors given are 300 of dimension 8 (float32, sha256 of "
                               "the first 300: " + other->sha256(300).substr(0, 16) + "...): other vectors"),
              std::string::npos) << msg2;
  }
}

TEST(SharedBase, AddingPastTheSharedVectorsIsRefused) {
  Shared s;
  auto index = make_index("PQ2", 8).value();
  ASSERT_TRUE(as_refinable(*index)->share_base(s.base).is_ok());
  ASSERT_TRUE(index->train(VectorView::of(s.x.data(), 300, 8)).is_ok());
  ASSERT_TRUE(index->add(VectorView::of(s.x.data(), 300, 8)).is_ok());
  EXPECT_EQ(index->add(VectorView::of(s.x.data(), 1, 8)).message(),
            "adding 1 vectors after 300 passes the 300 shared base vectors: the index re-ranks with those");
  EXPECT_EQ(as_refinable(*index)->share_base(s.base).message(),
            "the base vectors must be shared before the first vectors are added");
  auto wide = std::make_shared<VectorStore>(9);
  EXPECT_EQ(as_refinable(*make_index("PQ2", 8).value())->share_base(wide).message(),
            "the base vectors have dimension 9, the index has 8");
}

// Files written by format 1 (every index held its own vectors) still load: the fuzz corpus's.
TEST(IndexFile, FormatOneFilesStillLoad) {
  int loaded = 0;
  for (const char* f : {"flat-6x3", "pq2-300x8", "ivf4_pq2-300x8", "opq2_ivf4_pq2-300", "lopq4_pq2-300", "itq32-300",
                        "simhash32-300", "tokens4x8-300", "hnsw4-300x8", "lsh2x2-6x3", "e2lsh3x2-300", "kdtree8-300x8",
                        "ivf4_flat-300x8"}) {
    const std::string path = std::string(ANNLAB_CORPUS_DIR) + "/" + f + ".annlab";
    auto bytes = read_file(path);
    ASSERT_TRUE(bytes.is_ok()) << bytes.message();
    ASSERT_EQ(bytes.value()[8], 1) << path << " is a format 1 file";
    auto index = deserialize_index(path, bytes->data(), bytes->size());
    ASSERT_TRUE(index.is_ok()) << index.message();
    // Saved again: format 2, and it reads back to the same file.
    const auto again = serialize_index(*index.value()).value();
    EXPECT_EQ(again[8], 2);
    auto back = deserialize_index("again", again.data(), again.size());
    ASSERT_TRUE(back.is_ok()) << back.message();
    EXPECT_EQ(serialize_index(*back.value()).value(), again);
    ++loaded;
  }
  EXPECT_EQ(loaded, 13);
}

}  // namespace
}  // namespace annlab
