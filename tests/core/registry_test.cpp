// One table-driven test over the method registry: every implemented row is built small and checked
// for round trips, file equality, explain = search, exact messages for bad input and that its main
// search parameter buys recall. A new row is tested here with no list to edit.
#include "annlab/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <limits>

#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/model.h"
#include "annlab/trace_replay.h"
#include "annlab/why_missed.h"
#include "annlab/vector_store.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::KnnData;

// 3,000 base vectors and 100 held-out queries of d = 32 in 24 seeded Gaussian blobs.
const KnnData& data() {
  static const KnnData d = [] {
    Dataset all = make_gaussian_blobs(3100, 32, 24, 1.0, 11).value();
    return test::split_knn(all, 3000);
  }();
  return d;
}

// Learned rows run their model where this build has a runtime (natively: ONNX Runtime); the
// WebAssembly build's models run in the page (ONNX Runtime Web), outside these tests.
std::vector<std::string> implemented_rows() {
  std::vector<std::string> out;
  for (const MethodInfo& m : method_registry())
    if (m.implemented && (m.family != "learned" || model_runtime_available())) out.emplace_back(m.name);
  return out;
}

// A learned row's model for these blobs (annlab-train on the same 3,100 x 32 blobs: tests/data).
std::string test_model(const MethodInfo& m) {
  return m.name == "Router" ? ANNLAB_TEST_DATA "/router-blobs8.json" : ANNLAB_TEST_DATA "/nphash-blobs32-64.json";
}

class RegistryRow : public ::testing::TestWithParam<std::string> {
 protected:
  const MethodInfo& row() const { return *find_method(GetParam()); }
  std::unique_ptr<Index> built() const {
    BuildParams bp;
    bp.seed = 5;
    if (row().family == "learned") bp.model = test_model(row());
    return test::build(std::string(row().example), data().base, bp);
  }
};

SearchParams with(const ParamUse& u, double v) {
  SearchParams sp;
  BuildParams unused;
  const Status st = apply_params(cat(u.sweep_with, " ", u.name, "=", int64_t(v)), &unused, &sp);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return sp;
}

TEST(Registry, EveryRowIsWellFormed) {
  for (const MethodInfo& m : method_registry()) {
    SCOPED_TRACE(std::string(m.name));
    EXPECT_EQ(find_method(m.name), &m);
    size_t hashes = 0;
    for (char c : m.pattern) hashes += c == '#';
    EXPECT_EQ(hashes, m.args.size());
    for (const ArgInfo& a : m.args) {
      EXPECT_LE(a.lo, a.ui_lo);
      EXPECT_LE(a.ui_lo, a.def);
      EXPECT_LE(a.def, a.ui_hi);
      EXPECT_LE(a.ui_hi, a.hi);
      EXPECT_FALSE(a.help.empty());
    }
    for (const auto* uses : {&m.build, &m.search})
      for (const ParamUse& u : *uses) {
        const ParamInfo* p = find_param(u.name);
        ASSERT_NE(p, nullptr) << u.name;
        EXPECT_EQ(p->stage, uses == &m.build ? ParamStage::Build : ParamStage::Search) << u.name;
        EXPECT_FALSE(u.help.empty()) << u.name;
      }
    if (!m.implemented) continue;
    EXPECT_NE(m.make, nullptr);
    auto spec = parse_index_spec(m.example);
    ASSERT_TRUE(spec.is_ok()) << spec.message();
    EXPECT_EQ(spec->method, &m);
    EXPECT_FALSE(m.label.empty());
    EXPECT_FALSE(m.doc.empty());
  }
  // The grammar is the rows': each pattern once.
  EXPECT_EQ(index_grammar(), grammar_text());
  EXPECT_NE(grammar_text().find("IVF<nlist>,PQ<M>"), std::string::npos);
}

TEST_P(RegistryRow, DescribeParsesBackAndDefaultsRoundTrip) {
  const MethodInfo& m = row();
  auto spec = parse_index_spec(m.example).value();
  EXPECT_EQ(spec.to_string(), m.example);
  EXPECT_EQ(parse_index_spec(spec.to_string()).value(), spec);
  // The lab's defaults make a valid description too.
  std::vector<int64_t> args;
  for (const ArgInfo& a : m.args) args.push_back(a.same_as >= 0 ? args[size_t(a.same_as)] : a.def);
  const IndexSpec defaults{&m, args};
  EXPECT_EQ(parse_index_spec(defaults.to_string()).value(), defaults);
  auto index = built();
  EXPECT_EQ(index->describe(), m.example);
  EXPECT_EQ(index->method_info(), &m);
  EXPECT_EQ(index->size(), data().base.n);
}

TEST_P(RegistryRow, SavedFileLoadsToTheSameBytesAndAnswers) {
  auto index = built();
  if (!as_serializable(*index)) GTEST_SKIP() << "not serializable";
  const std::vector<uint8_t> bytes = serialize_index(*index).value();
  auto loaded = deserialize_index("mem", bytes.data(), bytes.size());
  ASSERT_TRUE(loaded.is_ok()) << loaded.message();
  EXPECT_EQ(loaded.value()->describe(), index->describe());
  EXPECT_EQ(serialize_index(*loaded.value()).value(), bytes);
  SearchResult a, b;
  ASSERT_TRUE(index->search(data().query.view(), 10, {}, &a).is_ok());
  ASSERT_TRUE(loaded.value()->search(data().query.view(), 10, {}, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  EXPECT_EQ(a.kind, b.kind);
}

TEST_P(RegistryRow, ExplainEqualsSearch) {
  auto index = built();
  const Explainable* ex = as_explainable(*index);
  if (!ex) GTEST_SKIP() << "not explainable";
  const ParamUse* main = row().main_search();
  const SearchParams sp = main ? with(*main, main->sweep[2]) : SearchParams{};
  SearchResult r;
  ASSERT_TRUE(index->search(data().query.view(), 10, sp, &r).is_ok());
  for (size_t q = 0; q < 20; ++q) {
    auto t = ex->explain_query(data().query.view().rows(q, 1), 10, sp);
    ASSERT_TRUE(t.is_ok()) << t.message();
    EXPECT_EQ(t->ids, std::vector<int64_t>(r.ids.begin() + long(q * 10), r.ids.begin() + long(q * 10 + 10))) << q;
    EXPECT_EQ(t->distances, std::vector<float>(r.distances.begin() + long(q * 10), r.distances.begin() + long(q * 10 + 10)));
    EXPECT_EQ(t->stats.distances, r.stats[q].distances);
    EXPECT_EQ(t->kind, r.kind);
  }
}

// The lab's stepper replays a trace event by event: at its end it must hold the search's answer
// and counts (the same ids, distances computed, buckets, cells and nodes).
TEST_P(RegistryRow, TheTraceReplaysToTheSearchsAnswerAndCounts) {
  auto index = built();
  const Explainable* ex = as_explainable(*index);
  if (!ex) GTEST_SKIP() << "not explainable";
  const ParamUse* main = row().main_search();
  // The main parameter's second sweep value with its companions, and its lowest alone (rerank = 0:
  // the code order is the answer, its top-k events come from the codes).
  std::vector<SearchParams> settings = {main ? with(*main, main->sweep[1]) : SearchParams{}};
  if (main) {
    SearchParams low;
    BuildParams unused;
    ASSERT_TRUE(apply_params(cat(main->name, "=", int64_t(main->sweep[0])), &unused, &low).is_ok());
    settings.push_back(low);
  }
  if (row().search_param("rerank") && !row().reranks_itself) {
    SearchParams none;
    none.rerank = 0;
    settings.push_back(none);
  }
  for (const SearchParams& sp : settings)
  for (size_t q = 0; q < 20; ++q) {
    auto t = ex->explain_query(data().query.view().rows(q, 1), 10, sp);
    ASSERT_TRUE(t.is_ok()) << t.message();
    TraceReplay replay(&t.value());
    size_t steps = 0;
    while (replay.step()) ++steps;
    EXPECT_EQ(steps, t->events.size());
    std::vector<int64_t> found;
    for (int64_t id : t->ids)
      if (id >= 0) found.push_back(id);
    EXPECT_EQ(replay.best_ids, found) << "query " << q;
    EXPECT_EQ(replay.counts.distances, t->stats.distances) << "query " << q;
    EXPECT_EQ(replay.counts.buckets, t->stats.buckets) << "query " << q;
    EXPECT_EQ(replay.counts.cells, t->stats.cells) << "query " << q;
    EXPECT_EQ(replay.counts.nodes, t->stats.nodes) << "query " << q;
    // Going back replays from the start to the same state.
    replay.seek(t->events.size() / 2);
    const std::vector<int64_t> half = replay.best_ids;
    replay.seek(t->events.size());
    replay.seek(t->events.size() / 2);
    EXPECT_EQ(replay.best_ids, half);
  }
}

// "Why was it missed?" on each method at its lowest sweep value: every true neighbour it misses
// gets a reason of its family's kind, and re-running with the parameters the reason names returns
// it. Where the reason is a rank read off the trace (a cell's, a code's), one less is not enough.
TEST_P(RegistryRow, EveryMissHasAReasonWhoseFixFindsIt) {
  auto index = built();
  const Explainable* ex = as_explainable(*index);
  if (!ex) GTEST_SKIP() << "not explainable";
  auto st = ex->explain_structure();
  ASSERT_TRUE(st.is_ok()) << st.message();
  // The main parameter at its lowest sweep value, without the sweep's companions (IVF-PQ's
  // rerank=3000), so codes can lose neighbours too.
  const ParamUse* main = row().main_search();
  SearchParams sp;
  if (main) {
    BuildParams unused;
    ASSERT_TRUE(apply_params(cat(main->name, "=", int64_t(main->sweep[0])), &unused, &sp).is_ok());
  }
  const std::string name(row().name);
  // Constructed hard queries: halfway between two held-out queries of different blobs, where
  // cells, buckets and codes split their neighbours.
  const size_t nq = 40, d = 32;
  std::vector<float> mids(nq * d), a(d), b(d);
  for (size_t q = 0; q < nq; ++q) {
    data().query.view().row_to_f32(q, a.data());
    data().query.view().row_to_f32((q + 7) % data().query.n, b.data());
    for (size_t j = 0; j < d; ++j) mids[q * d + j] = 0.5f * (a[j] + b[j]);
  }
  const VectorView queries = VectorView::of(mids.data(), nq, d);
  auto flat = make_index("Flat", d, BuildParams{}).value();
  ASSERT_TRUE(flat->add(data().base.view()).is_ok());
  SearchResult exact;
  ASSERT_TRUE(flat->search(queries, 10, SearchParams{}, &exact).is_ok());
  const std::map<std::string, std::set<std::string>> stages = {
      {"LSH", {"bucket"}}, {"E2LSH", {"bucket"}}, {"KDTree", {"leaf"}}, {"IVFFlat", {"cell"}},
      {"PQ", {"code rank"}}, {"IVFPQ", {"cell", "code rank"}}, {"OPQ", {"cell", "code rank"}},
      {"LOPQ", {"cell", "code rank"}}, {"HNSW", {"graph"}}, {"Tokens", {"tokens"}},
      {"SimHash", {"code rank"}}, {"ITQ", {"code rank"}}, {"NPHash", {"code rank"}}, {"Router", {"cell", "layer 2"}}};
  size_t misses = 0, fixed = 0;
  for (size_t q = 0; q < nq && misses < 40; ++q) {
    const VectorView qv = queries.rows(q, 1);
    auto t = ex->explain_query(qv, 10, sp);
    ASSERT_TRUE(t.is_ok()) << t.message();
    const std::vector<int64_t> truth(exact.ids.begin() + long(q * 10), exact.ids.begin() + long(q * 10 + 10));
    auto why = why_missed(*index, st.value(), qv, t.value(), truth, sp);
    ASSERT_TRUE(why.is_ok()) << why.message();
    size_t missing = 0;
    for (int64_t id : truth) missing += std::find(t->ids.begin(), t->ids.end(), id) == t->ids.end();
    ASSERT_EQ(why->size(), missing) << "one reason per missed true neighbour";
    for (const MissReason& m : why.value()) {
      ++misses;
      SCOPED_TRACE(m.sentence);
      if (std::getenv("ANNLAB_SHOW_WHY")) std::printf("%s: %s\n", name.c_str(), m.sentence.c_str());
      EXPECT_EQ(m.id, truth[m.true_rank - 1]);
      EXPECT_EQ(m.sentence.rfind(cat("true #", m.true_rank, " (id ", m.id, ")"), 0), 0u);
      if (m.stage == "tie") continue;  // lost a tie on distance: no parameter is at fault
      if (stages.count(name)) EXPECT_TRUE(stages.at(name).count(m.stage)) << "stage " << m.stage;
      if (m.fix.empty()) continue;
      SearchResult r;
      ASSERT_TRUE(index->search(qv, 10, m.fixed(sp), &r).is_ok());
      const bool found = std::find(r.ids.begin(), r.ids.end(), m.id) != r.ids.end();
      EXPECT_EQ(found, m.checked);
      fixed += found;
      if (found && m.fix.size() == 1 && (m.stage == "cell" || m.stage == "code rank") && m.fix[0].second > 10) {
        // The rank read off the trace is the smallest value that reaches it (cells: one cell each).
        MissReason less = m;
        less.fix[0].second -= 1;
        SearchResult r2;
        ASSERT_TRUE(index->search(qv, 10, less.fixed(sp), &r2).is_ok());
        if (m.stage == "cell")
          EXPECT_EQ(std::find(r2.ids.begin(), r2.ids.end(), m.id), r2.ids.end()) << "nprobe one less finds it too";
      }
    }
  }
  if (name == "Flat") {
    EXPECT_EQ(misses, 0u);
  } else if (stages.count(name)) {
    EXPECT_GT(misses, 0u) << "the lowest sweep value should miss something";
    EXPECT_GE(double(fixed), 0.8 * double(misses)) << "most misses name a fix that finds them";
  }
}

TEST_P(RegistryRow, SharingTheBaseVectorsChangesNothingButMemory) {
  auto own = built();
  if (!as_refinable(*own)) GTEST_SKIP() << "holds no full vectors";
  auto base = std::make_shared<VectorStore>(32);
  ASSERT_TRUE(base->add(data().base.view()).is_ok());
  BuildParams bp;
  bp.seed = 5;
  if (row().family == "learned") bp.model = test_model(row());
  auto shared = make_index(row().example, 32, bp).value();
  ASSERT_TRUE(as_refinable(*shared)->share_base(base).is_ok());
  ASSERT_TRUE(shared->train(data().base.view()).is_ok());
  ASSERT_TRUE(shared->add(data().base.view()).is_ok());
  const ParamUse* main = row().main_search();
  const SearchParams sp = main ? with(*main, main->sweep[2]) : SearchParams{};
  SearchResult a, b;
  ASSERT_TRUE(own->search(data().query.view(), 10, sp, &a).is_ok());
  ASSERT_TRUE(shared->search(data().query.view(), 10, sp, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  const bool uses = as_refinable(*shared)->base_vectors().shared();
  EXPECT_EQ(own->memory_bytes(), shared->memory_bytes() + (uses ? base->memory_bytes() : 0));
  // The standalone file of the sharing index is the file of the index with its own copy.
  EXPECT_EQ(serialize_index(*shared, true).value(), serialize_index(*own).value());
}

TEST_P(RegistryRow, TheTraceCarriesThePerQueryViews) {
  auto index = built();
  const Explainable* ex = as_explainable(*index);
  if (!ex) GTEST_SKIP() << "not explainable";
  auto t = ex->explain_query(data().query.view().rows(0, 1), 10, {}).value();
  if (!t.query_keys.empty()) {
    // With one probe a table opens exactly the query's own bucket.
    std::vector<uint64_t> opened(t.query_keys.size(), ~uint64_t{0});
    for (const TraceEvent& e : t.events)
      if (e.kind == TraceKind::BucketOpened) opened.at(e.table) = uint64_t(e.id);
    for (size_t tb = 0; tb < opened.size(); ++tb)
      if (opened[tb] != ~uint64_t{0}) {
        EXPECT_EQ(opened[tb], t.query_keys[tb]) << "table " << tb;
      }
  }
  if (t.code_bits) {
    EXPECT_EQ(t.query_code.size(), (t.code_bits + 63) / 64);
    ASSERT_EQ(t.code_distances.size(), index->size());
    ASSERT_EQ(t.kind, DistanceKind::Hamming);
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(float(t.code_distances[size_t(t.ids[i])]), t.distances[i]);
  }
  if (t.lookup_m) {
    // PQ's estimate of a returned point is the sum of its codes' table entries.
    ASSERT_EQ(t.kind, DistanceKind::EstimatedSquaredL2);
    const size_t ksub = t.lookup_table.size() / t.lookup_m;
    auto st = ex->explain_structure().value();
    const CodebookLayer* books = st.find<CodebookLayer>();
    ASSERT_NE(books, nullptr) << "a method with a lookup table shows its codebooks";
    for (size_t i = 0; i < 10; ++i) {
      double sum = 0;
      for (size_t j = 0; j < t.lookup_m; ++j)
        sum += t.lookup_table[j * ksub + books->codes[size_t(t.ids[i]) * books->m + j]];
      EXPECT_NEAR(sum, t.distances[i], 1e-3 * (1 + sum));
    }
  }
  // A method ranking by Hamming distance shows the query's code (the registry row says what it ranks by).
  EXPECT_EQ(t.code_bits != 0, row().distance.rfind("Hamming", 0) == 0) << row().name;
}

// Every layer that assigns points something assigns every indexed point, in range; the structure
// names the index; and a method other than the exact scan shows at least one layer.
TEST_P(RegistryRow, StructureLayersCoverEveryPoint) {
  auto index = built();
  auto st = as_explainable(*index)->explain_structure();
  ASSERT_TRUE(st.is_ok()) << st.message();
  const size_t n = index->size(), d = index->dim();
  EXPECT_EQ(st->method, index->describe());
  EXPECT_EQ(st->n, n);
  EXPECT_EQ(st->dim, d);
  EXPECT_EQ(st->layers.empty(), row().name == "Flat") << row().name;
  for (const Layer& l : st->layers) {
    SCOPED_TRACE(std::string(layer_kind_name(l)));
    if (const auto* c = std::get_if<CellLayer>(&l)) {
      ASSERT_EQ(c->assignment.size(), n);
      for (int32_t a : c->assignment) ASSERT_TRUE(a >= 0 && size_t(a) < c->cells(d)) << a;
    }
    if (const auto* b = std::get_if<BucketLayer>(&l)) {
      ASSERT_FALSE(b->keys.empty());
      size_t total = 0;
      for (const Bucket& bk : b->buckets) total += bk.size;
      for (const auto& keys : b->keys) ASSERT_EQ(keys.size(), n);
      EXPECT_EQ(total, n * b->keys.size()) << "every point in one bucket of every table";
    }
    if (const auto* kd = std::get_if<KdTreeLayer>(&l)) {
      ASSERT_EQ(kd->leaf.size(), n);
      for (int32_t a : kd->leaf) ASSERT_TRUE(a >= 0 && size_t(a) < kd->nodes.size() && kd->nodes[size_t(a)].dim < 0);
    }
    if (const auto* g = std::get_if<GraphLayer>(&l)) {
      ASSERT_EQ(g->top_level.size(), n);
      for (const auto& e : g->edges) ASSERT_LE(int(e.level), g->top_level[size_t(e.from)]);
    }
    if (const auto* cb = std::get_if<CodebookLayer>(&l)) {
      ASSERT_EQ(cb->codes.size(), n * cb->m);
      ASSERT_EQ(cb->centroids.size(), cb->m * cb->ksub * cb->dsub);
    }
    if (const auto* t = std::get_if<TokenLayer>(&l)) {
      ASSERT_EQ(t->tokens.size(), n * t->g);
      for (uint16_t tok : t->tokens) ASSERT_LT(tok, t->m);
    }
    if (const auto* bc = std::get_if<BinaryCodeLayer>(&l)) {
      ASSERT_EQ(bc->codes.size(), n * bc->words);
    }
    if (const auto* hp = std::get_if<HyperplaneLayer>(&l)) {
      for (const Hyperplane& h : hp->planes) ASSERT_EQ(h.normal.size(), d);
    }
  }
}

// A "distance computed" event is a full-precision distance: never more of them than the statistics
// count (a method that only compares codes has none; the lab marks these points as candidates).
TEST_P(RegistryRow, DistanceEventsAreFullPrecisionDistances) {
  auto index = built();
  const ParamUse* main = row().main_search();
  const SearchParams p = main ? with(*main, main->sweep[0]) : SearchParams{};
  auto t = as_explainable(*index)->explain_query(data().query.view().rows(0, 1), 10, p);
  ASSERT_TRUE(t.is_ok()) << t.message();
  size_t computed = 0, compared = 0;
  for (const TraceEvent& e : t->events) {
    computed += e.kind == TraceKind::DistanceComputed;
    compared += e.kind == TraceKind::CodeCompared;
  }
  EXPECT_LE(computed, t->stats.distances) << row().name;
  if (t->kind == DistanceKind::EstimatedSquaredL2 || t->kind == DistanceKind::Hamming) {
    EXPECT_EQ(computed, 0u) << row().name << " ranks by codes alone here";
    EXPECT_GT(compared, 0u) << row().name;
  }
}

TEST_P(RegistryRow, DistancesSayWhatTheyAre) {
  auto index = built();
  SearchResult r;
  ASSERT_TRUE(index->search(data().query.view(), 10, {}, &r).is_ok());
  EXPECT_EQ(r.kind, index->distance_kind({}));
  for (size_t q = 0; q < r.nq; ++q)
    for (size_t i = 1; i < 10; ++i) {
      const float a = r.distances[q * 10 + i - 1], b = r.distances[q * 10 + i];
      if (r.kind == DistanceKind::Score) {
        EXPECT_GE(a, b);  // best first: larger scores first
      } else {
        EXPECT_LE(a, b);
      }
    }
  if (r.kind == DistanceKind::SquaredL2) {
    // Exact distances: the same as the Flat scan's for the ids returned.
    auto flat = test::build("Flat", data().base);
    SearchResult e;
    ASSERT_TRUE(flat->search(data().query.view().rows(0, 1), 3000, {}, &e).is_ok());
    for (size_t i = 0; i < 10; ++i)
      for (size_t j = 0; j < 3000; ++j)
        if (e.ids[j] == r.ids[i]) {
          EXPECT_FLOAT_EQ(r.distances[i], e.distances[j]);
        }
  }
}

TEST_P(RegistryRow, BadParametersGetTheirExactMessages) {
  const MethodInfo& m = row();
  auto index = built();
  const std::string spec = index->describe();
  // A search parameter this method does not take.
  for (const ParamInfo& p : param_table()) {
    if (p.stage != ParamStage::Search || m.search_param(p.name)) continue;
    SearchParams sp;
    BuildParams unused;
    ASSERT_TRUE(apply_param(p.name, p.type == annlab::ParamType::Choice ? "bm25" : "1", &unused, &sp).is_ok());
    SearchResult r;
    std::string takes;
    for (const ParamUse& u : m.search) takes += cat(takes.empty() ? "" : ", ", u.name);
    EXPECT_EQ(index->search(data().query.view(), 10, sp, &r).message(),
              cat("search parameter '", p.name, "' does not apply to ", spec,
                  takes.empty() ? std::string(" (it takes none)") : cat(" (it takes ", takes, ")")));
  }
  // A build parameter it does not take.
  for (const ParamInfo& p : param_table()) {
    if (p.stage != ParamStage::Build || p.type == annlab::ParamType::Seed || m.build_param(p.name)) continue;
    BuildParams bp;
    ASSERT_TRUE(apply_param(p.name, "3", &bp, nullptr).is_ok());
    EXPECT_EQ(make_index(spec, 32, bp).message(), cat("build parameter '", p.name, "' does not apply to ", spec));
  }
  // Every integer search parameter it takes, one below its range.
  for (const ParamUse& u : m.search) {
    const ParamInfo* p = find_param(u.name);
    if (p->type != annlab::ParamType::Int || p->lo == INT32_MIN) continue;
    SearchParams sp;
    EXPECT_EQ(apply_param(u.name, std::to_string(p->lo - 1), nullptr, &sp).message(),
              cat("parameter ", u.name, " = ", p->lo - 1, " is out of range [", p->lo, ", ", p->hi, "]"));
  }
  // Each number of the pattern, one past its range.
  for (size_t i = 0; i < m.args.size(); ++i) {
    if (m.args[i].same_as >= 0) continue;
    std::vector<int64_t> args = parse_index_spec(spec).value().args;
    args[i] = m.args[i].hi + 1;
    for (size_t j = 0; j < m.args.size(); ++j)
      if (m.args[j].same_as == int(i)) args[j] = args[i];
    const std::string s = IndexSpec{&m, args}.to_string();
    EXPECT_EQ(parse_index_spec(s).message(), cat("index description '", s, "': ", m.args[i].name, " = ", args[i],
                                                 " is out of range [", m.args[i].lo, ", ", m.args[i].hi, "]"));
  }
}

TEST_P(RegistryRow, AbsurdConfigurationsAreRefused) {
  const MethodInfo& m = row();
  const std::string spec(m.example);
  auto index = built();
  SearchResult r;
  EXPECT_EQ(index->search(data().query.view(), 0, {}, &r).message(), "k = 0: ask for at least one neighbour");
  EXPECT_EQ(index->search(data().query.view(), 3001, {}, &r).message(),
            "k = 3001 exceeds the number of indexed vectors (3000)");
  const std::vector<float> q7(7, 0.0f);
  EXPECT_EQ(index->search(VectorView::of(q7.data(), 1, 7), 10, {}, &r).message(), "query dimension 7 != index dimension 32");
  std::vector<float> nan(32, 0.0f);
  nan[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(index->search(VectorView::of(nan.data(), 1, 32), 10, {}, &r).is_ok());
  EXPECT_EQ(make_index(spec, 0).message(), "dimension 0 is outside 1..1048576");
  // Empty or untrained: a message naming the index, never a crash.
  auto fresh = make_index(spec, 32).value();
  const Status st = fresh->search(data().query.view(), 10, {}, &r);
  EXPECT_TRUE(st.message() == cat(spec, " is not trained: train it before searching") ||
              st.message() == cat(spec, " is empty: add vectors before searching"))
      << st.message();
  for (size_t i = 0; i < m.args.size(); ++i)
    if (m.args[i].divides_dim && m.args[i].same_as < 0) {
      auto a = parse_index_spec(spec).value().args;
      EXPECT_EQ(make_index(spec, 31).message(),
                cat(spec, ": dimension 31 is not divisible by ", m.args[i].name, " = ", a[i]));
    }
}

TEST_P(RegistryRow, MainSearchParameterBuysRecall) {
  const MethodInfo& m = row();
  const ParamUse* main = m.main_search();
  if (!main) {
    EXPECT_TRUE(m.search.empty()) << "a method with search parameters names its main one (a sweep)";
    return;
  }
  auto index = built();
  double last_recall = -1;
  uint64_t last_distances = 0;
  for (int s = 0; s < 4; ++s) {
    const double v = main->sweep[s];
    SearchResult r;
    ASSERT_TRUE(index->search(data().query.view(), 10, with(*main, v), &r).is_ok());
    const double recall =
        evaluate(r.ids.data(), 10, data().gt.ids.data(), 10, data().base.view(), data().query.view(), 10)->recall;
    const uint64_t distances = r.total().distances;
    std::printf("SWEEP %s %s=%g recall %.3f distances %llu\n", std::string(m.name).c_str(), std::string(main->name).c_str(), v,
                recall, (unsigned long long)distances);
    if (s > 0) {
      EXPECT_GT(distances, last_distances) << main->name << " = " << v;
      EXPECT_TRUE(recall >= last_recall + 0.05 || recall == 1.0)
          << main->name << " = " << v << ": recall " << last_recall << " -> " << recall;
    }
    last_recall = recall;
    last_distances = distances;
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, RegistryRow, ::testing::ValuesIn(implemented_rows()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace annlab
