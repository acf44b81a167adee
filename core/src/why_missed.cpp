// Why a true neighbour was missed (annlab/why_missed.h): read off the trace and the structure.
#include "annlab/why_missed.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <set>

namespace annlab {
namespace {

std::optional<int64_t>* field(SearchParams& p, std::string_view name) {
  if (name == "nprobe") return &p.nprobe;
  if (name == "probes") return &p.probes;
  if (name == "efSearch") return &p.efSearch;
  if (name == "leaves") return &p.leaves;
  if (name == "rerank") return &p.rerank;
  return nullptr;
}

bool takes(const Index& index, std::string_view name) {
  for (std::string_view n : index.search_param_names())
    if (n == name) return true;
  return false;
}

bool returned(const std::vector<int64_t>& ids, int64_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

// Whether searching q with `name` = v returns id.
bool finds(const Index& index, const VectorView& q, size_t k, SearchParams p, std::string_view name, int64_t v,
           int64_t id) {
  *field(p, name) = v;
  SearchResult r;
  if (!index.search(q, k, p, &r).is_ok()) return false;
  return returned(r.ids, id);
}

// The smallest value of `name` above `from` that returns id, up to `hi`: doubling, then halving
// the last gap. Nothing when even `hi` does not.
std::optional<int64_t> smallest_finding(const Index& index, const VectorView& q, size_t k, const SearchParams& p,
                                        std::string_view name, int64_t from, int64_t hi, int64_t id) {
  int64_t lo = std::max<int64_t>(from, 0), v = std::max<int64_t>(from + 1, 1);
  while (true) {
    if (finds(index, q, k, p, name, v, id)) break;
    if (v >= hi) return std::nullopt;
    lo = v;
    v = std::min(hi, v * 2);
  }
  while (v - lo > 1) {
    const int64_t mid = lo + (v - lo) / 2;
    if (finds(index, q, k, p, name, mid, id)) v = mid;
    else lo = mid;
  }
  return v;
}

float sq_dist(const float* a, const float* b, size_t d) {
  double s = 0;
  for (size_t j = 0; j < d; ++j) s += double(a[j] - b[j]) * double(a[j] - b[j]);
  return float(s);
}

struct Ctx {
  const Index& index;
  const Structure& st;
  const VectorView& q;
  const Trace& t;
  const SearchParams& p;
  size_t k;
  std::vector<float> qrow;
  std::set<int64_t> computed;                       // DistanceComputed ids
  std::vector<std::pair<int64_t, float>> coded;     // CodeCompared (id, value)
  std::vector<int64_t> probed_cells;                // in probe order
  std::set<std::pair<uint32_t, int64_t>> opened;    // BucketOpened (table, key)
  std::set<int64_t> visited0;                       // NodeVisited at level / table 0
  std::set<int64_t> visited_any;
};

// Finds a value of `name` that returns `id`, beginning above the current one, and phrases it.
void search_fix(const Ctx& c, MissReason* m, std::string_view name, int64_t current, int64_t hi) {
  if (!takes(c.index, name)) return;
  const auto v = smallest_finding(c.index, c.q, c.k, c.p, name, current, hi, m->id);
  if (!v) {
    m->sentence += cat("; even ", name, " = ", hi, " does not find it");
    return;
  }
  m->fix.emplace_back(std::string(name), *v);
  m->checked = true;
  m->sentence += cat("; ", name, " = ", *v, " finds it");
}

// The reason from the codes compared (PQ's estimate, Hamming distance): the id's rank among them.
bool code_reason(const Ctx& c, MissReason* m) {
  auto it = std::find_if(c.coded.begin(), c.coded.end(), [&](const auto& e) { return e.first == m->id; });
  if (it == c.coded.end() || c.computed.count(m->id)) return false;
  const float v = it->second;
  size_t rank = 0, less = 0;
  for (const auto& e : c.coded) rank += e.second <= v, less += e.second < v;  // ties counted against it
  const bool hamming = c.t.code_bits > 0;
  const int64_t rerank = c.p.rerank.value_or(0);
  m->stage = "code rank";
  const std::string ranked = rank - less > 1 ? cat("ranked between ", ordinal(less + 1), " and ", ordinal(rank))
                                             : cat("ranked ", ordinal(rank));
  const std::string ties = rank - less > 1 ? cat(", tied with ", rank - less - 1, " other", rank - less > 2 ? "s" : "") : "";
  m->sentence += hamming ? cat(ranked, " of ", c.coded.size(), " by Hamming distance (", int64_t(v), " bit",
                               v == 1 ? "" : "s", " apart", ties, ")")
                         : cat(ranked, " of ", c.coded.size(), " by its PQ estimate (", v, ties, ")");
  m->sentence += rerank > 0 ? cat("; rerank = ", rerank, " re-ranks only the first ", rerank)
                            : std::string("; rerank = 0: the code order is the answer");
  if (takes(c.index, "rerank")) {
    const int64_t want = int64_t(std::max(rank, c.k));
    m->fix.emplace_back("rerank", want);
    m->checked = finds(c.index, c.q, c.k, c.p, "rerank", want, m->id);
    m->sentence += m->checked ? cat("; rerank = ", want, " finds it") : cat("; rerank = ", want, " re-ranks it");
  }
  return true;
}

// Reasons after the cell stage: codes, tokens, buckets, graph, tree, or a computed candidate.
void inner_reason(const Ctx& c, MissReason* m) {
  if (code_reason(c, m)) return;
  if (c.computed.count(m->id)) {
    m->stage = "candidate";
    m->sentence += "had its exact distance computed, but the answer kept others of equal or smaller distance";
    if (!c.t.distances.empty() && !c.t.ids.empty()) m->stage = "tie";
    return;
  }
  if (const TokenLayer* tl = c.st.find<TokenLayer>(); tl && tl->g && size_t(m->id) * tl->g < tl->tokens.size()) {
    size_t shared = 0, kept = 0;
    for (const auto& [table, key] : c.opened) {
      ++kept;
      shared += table < tl->g && tl->tokens[size_t(m->id) * tl->g + table] == key;
    }
    m->stage = "tokens";
    if (shared == 0) {
      m->sentence += cat("shares none of the query's ", kept, " kept tokens: no posting list the query walked holds it");
      return;
    }
    m->sentence += cat("shares ", shared, " of the query's ", kept, " tokens, but its score ranked it below the ",
                       c.p.rerank.value_or(0) > 0 ? cat("rerank = ", *c.p.rerank, " best") : cat("k = ", c.k, " best"));
    search_fix(c, m, "rerank", std::max<int64_t>(c.p.rerank.value_or(0), int64_t(c.k) - 1), int64_t(c.index.size()));
    return;
  }
  const BucketLayer* bl = c.st.find<BucketLayer>();
  if (bl && !bl->keys.empty() && c.t.query_keys.size() == bl->keys.size()) {
    const size_t tables = bl->keys.size();
    const bool planes = c.st.find<HyperplaneLayer>() != nullptr;
    int best = 1 << 30;
    uint32_t best_t = 0;
    for (size_t tb = 0; tb < tables; ++tb) {
      const uint64_t key = bl->keys[tb][size_t(m->id)];
      const int bits = std::popcount(key ^ c.t.query_keys[tb]);
      if (bits < best) best = bits, best_t = uint32_t(tb);
    }
    m->stage = "bucket";
    m->where = int64_t(bl->keys[best_t][size_t(m->id)]);
    m->table = best_t;
    const int64_t probes = c.p.probes.value_or(1);
    m->sentence += cat("shares no opened bucket with the query in any of the ", tables, " tables");
    if (planes) m->sentence += cat("; nearest miss: table ", best_t, ", ", best, " bit", best == 1 ? "" : "s", " apart");
    m->sentence += cat(" (probes = ", probes, ")");
    search_fix(c, m, "probes", probes, 1 << 16);
    return;
  }
  if (const GraphLayer* gl = c.st.find<GraphLayer>(); gl && !c.visited0.empty()) {
    // Hops from the expanded nodes to it over the bottom layer's links (up to 6).
    std::set<int64_t> frontier = c.visited0, seen = c.visited0;
    int hops = -1;
    for (int h = 1; h <= 6 && hops < 0 && !frontier.empty(); ++h) {
      std::set<int64_t> next;
      for (const GraphLayer::Edge& e : gl->edges)
        if (e.level == 0 && frontier.count(e.from) && !seen.count(e.to)) {
          next.insert(e.to);
          if (e.to == m->id) {
            hops = h;
            m->where = e.from;
          }
        }
      seen.insert(next.begin(), next.end());
      frontier = std::move(next);
    }
    m->stage = "graph";
    const int64_t ef = c.p.efSearch.value_or(0);
    m->sentence += hops > 0 ? cat("was never reached: it is ", hops, " hop", hops == 1 ? "" : "s",
                                  " from the nodes it expanded, and the greedy search stopped at a local minimum")
                            : std::string("was never reached: it is more than 6 hops from the nodes it expanded");
    if (ef) m->sentence += cat(" (efSearch = ", ef, ")");
    search_fix(c, m, "efSearch", std::max<int64_t>(ef, int64_t(c.k)), 1 << 14);
    return;
  }
  if (const KdTreeLayer* kd = c.st.find<KdTreeLayer>(); kd && size_t(m->id) < kd->leaf.size()) {
    const int64_t leaf = kd->leaf[size_t(m->id)];
    size_t leaves = 0;
    for (int64_t nd : c.visited_any)
      if (nd >= 0 && size_t(nd) < kd->nodes.size() && kd->nodes[size_t(nd)].dim < 0) ++leaves;
    m->stage = "leaf";
    m->where = leaf;
    m->sentence += cat("is in leaf ", leaf, ", which the search did not open: it stopped after ", leaves,
                       leaves == 1 ? " leaf" : " leaves", " (leaves = ", c.p.leaves.value_or(0), ")");
    search_fix(c, m, "leaves", c.p.leaves.value_or(0), int64_t(kd->nodes.size()));
    return;
  }
  m->stage = "candidate";
  m->sentence += "never had its distance computed";
}

}  // namespace

SearchParams MissReason::fixed(SearchParams p) const {
  for (const auto& [name, v] : fix)
    if (auto* f = field(p, name)) *f = v;
  return p;
}

std::string ordinal(size_t n) {
  const size_t t = n % 100;
  const char* suf = (t >= 11 && t <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return cat(n, suf);
}

Result<std::vector<MissReason>> why_missed(const Index& index, const Structure& st, const VectorView& q,
                                           const Trace& t, const std::vector<int64_t>& truth,
                                           const SearchParams& params) {
  if (q.n != 1 || q.d != index.dim()) return Status::error(cat("why_missed takes one query of dimension ", index.dim()));
  Ctx c{index, st, q, t, params, t.ids.size(), {}, {}, {}, {}, {}, {}, {}};
  c.qrow.resize(q.d);
  q.row_to_f32(0, c.qrow.data());
  for (const TraceEvent& e : t.events) {
    switch (e.kind) {
      case TraceKind::DistanceComputed: c.computed.insert(e.id); break;
      case TraceKind::CodeCompared: c.coded.emplace_back(e.id, e.value); break;
      case TraceKind::CellProbed: c.probed_cells.push_back(e.id); break;
      case TraceKind::BucketOpened: c.opened.insert({e.table, e.id}); break;
      case TraceKind::NodeVisited:
        c.visited_any.insert(e.id);
        if (e.table == 0) c.visited0.insert(e.id);
        break;
      default: break;
    }
  }
  std::vector<MissReason> out;
  std::vector<float> centroid_d;  // the query's squared distance to every centroid, when needed
  for (size_t r = 0; r < truth.size(); ++r) {
    const int64_t id = truth[r];
    if (id < 0 || size_t(id) >= index.size() || returned(t.ids, id)) continue;
    MissReason m;
    m.id = id;
    m.true_rank = r + 1;
    const std::string prefix = cat("true #", r + 1, " (id ", id, ") ");
    const CellLayer* cl = st.find<CellLayer>();
    if (cl && size_t(id) < cl->assignment.size() && !c.probed_cells.empty()) {
      const int64_t cell = cl->assignment[size_t(id)];
      const bool probed = std::find(c.probed_cells.begin(), c.probed_cells.end(), cell) != c.probed_cells.end();
      const size_t ncell = cl->cells(st.dim);
      if (!probed && cell >= 0 && size_t(cell) < ncell) {
        size_t rank = 1;
        std::string by;
        if (t.cell_probabilities.size() == ncell) {
          const float pc = t.cell_probabilities[size_t(cell)];
          for (size_t o = 0; o < ncell; ++o)
            rank += t.cell_probabilities[o] > pc || (t.cell_probabilities[o] == pc && int64_t(o) < cell);
          by = cat("by layer 1's probability (", pc, ")");
        } else {
          if (centroid_d.empty())  // once per query, for every missed neighbour's cell
            for (size_t o = 0; o < ncell; ++o)
              centroid_d.push_back(sq_dist(c.qrow.data(), cl->centroids.data() + o * st.dim, st.dim));
          const float dc = centroid_d[size_t(cell)];
          for (size_t o = 0; o < ncell; ++o)
            rank += centroid_d[o] < dc || (centroid_d[o] == dc && int64_t(o) < cell);
          by = "by its centroid's distance";
        }
        m.stage = "cell";
        m.where = cell;
        const int64_t nprobe = params.nprobe.value_or(1);
        m.sentence = cat(prefix, "is in cell ", cell, ", which ranked ", ordinal(rank), " of ", ncell, " ", by,
                         "; nprobe = ", nprobe);
        if (takes(index, "nprobe")) {
          m.fix.emplace_back("nprobe", int64_t(rank));
          m.checked = finds(index, q, c.k, params, "nprobe", int64_t(rank), id);
          if (m.checked) {
            m.sentence += cat("; nprobe = ", rank, " finds it");
          } else {
            // Probing its cell is not enough: say what stops it there.
            SearchParams p2 = params;
            p2.nprobe = int64_t(rank);
            const Explainable* ex = as_explainable(index);
            auto t2 = ex ? ex->explain_query(q, c.k, p2) : Result<Trace>(Status::error("not explainable"));
            if (t2.is_ok()) {
              auto inner = why_missed(index, st, q, t2.value(), {id}, p2);
              if (inner.is_ok() && !inner->empty()) {
                const MissReason& i2 = inner->front();
                const std::string p1 = cat("true #1 (id ", id, ") ");
                std::string rest = i2.sentence.rfind(p1, 0) == 0 ? i2.sentence.substr(p1.size()) : i2.sentence;
                m.sentence += cat("; nprobe = ", rank, " probes it, where ", rest);
                for (const auto& f : i2.fix) m.fix.push_back(f);  // the next stage's fix, with nprobe = rank
                m.checked = i2.checked;
              }
            }
          }
        }
        out.push_back(std::move(m));
        continue;
      }
      if (probed && t.cell_probabilities.size() == ncell && params.rerank && !c.computed.count(id)) {
        m.stage = "layer 2";
        m.where = cell;
        m.sentence = cat(prefix, "is in cell ", cell, ", which was probed, but layer 2 did not pick it among the ",
                         *params.rerank ? cat(*params.rerank, " most probable members") : cat("k most probable members"),
                         " (rerank = ", *params.rerank, ")");
        search_fix(c, &m, "rerank", *params.rerank, int64_t(index.size()));
        out.push_back(std::move(m));
        continue;
      }
      m.where = cell;
    }
    m.sentence = prefix;
    inner_reason(c, &m);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace annlab
