// The map: the data in 2-D (the points themselves, or their PCA projection for images), coloured by
// label; pan by dragging, zoom with the wheel; hover for a point's id and thumbnail; click to set
// the query. For LSH on 2-D data the selected table's hyperplanes are drawn as lines; the
// candidates of the current query (its bucket mates) are highlighted, the results ringed.
#include <algorithm>
#include <cmath>
#include <limits>

#include "draw_util.h"
#include "annlab/status.h"
#include "panels.h"

namespace annlab::app {

namespace {

void fit(MapView& v, const LabData& d, uint64_t serial, ImVec2 size) {
  float x0 = std::numeric_limits<float>::max(), y0 = x0, x1 = -x0, y1 = -x0;
  for (size_t i = 0; i < d.base.n; ++i) {
    x0 = std::min(x0, d.base_xy[2 * i]);
    x1 = std::max(x1, d.base_xy[2 * i]);
    y0 = std::min(y0, d.base_xy[2 * i + 1]);
    y1 = std::max(y1, d.base_xy[2 * i + 1]);
  }
  v.cx = (x0 + x1) / 2;
  v.cy = (y0 + y1) / 2;
  v.data_w = x1 - x0;
  v.data_h = y1 - y0;
  v.width = size.x;
  v.height = size.y;
  v.scale = v.fit_scale();
  v.fitted_serial = serial;
}

void help_marker_inline(const char* text) {
  if (ImGui::IsItemHovered() && ImGui::BeginTooltip()) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// The method's structure for 2-D data, under the points.

// The nearest of the 2-D centroids (x0, y0, x1, y1, ...) to (x, y): the Voronoi cell it lies in.
size_t nearest_2d(const std::vector<float>& centroids, float x, float y) {
  size_t best = 0;
  float bd = 1e30f;
  for (size_t c = 0; c < centroids.size() / 2; ++c) {
    const float dx = centroids[2 * c] - x, dy = centroids[2 * c + 1] - y, dd = dx * dx + dy * dy;
    if (dd < bd) {
      bd = dd;
      best = c;
    }
  }
  return best;
}

// Shades the view by sampling a grid: region(x, y) names the region a world point lies in (a
// bucket key, a cell). Regions listed in `order` are bright and numbered 1, 2, ... at the centre of
// their visible area; the others faint.
// Every kind of mark the map can draw. A draw site notes the mark it draws; the legend lists exactly
// the marks noted this frame (MapView::legend), so it never explains a mark that is not there.
enum class Mark : uint8_t {
  BucketRegions, Hyperplanes, Slabs, Cells, Centroids, LopqAxes, TokenCells, KdSplits, PqCentroids, GraphLinks,
  Candidate, BucketMates, SharedTokens, KdLeaves, EntryPoint, GreedyPath, Expanded, ProbeOrder,
  ProbedMembers, OpenedMembers, ExactFound, ExactMissed, MethodAnswer, CurrentBest, StepEvent, MissFocus, Query,
};

const char* mark_name(Mark m) {
  switch (m) {
    case Mark::BucketRegions: return "buckets of this table (opened: brighter, numbered in probe order)";
    case Mark::Hyperplanes: return "hyperplanes";
    case Mark::Slabs: return "slab boundaries";
    case Mark::Cells: return "cells (probed: brighter)";
    case Mark::Centroids: return "centroids";
    case Mark::LopqAxes: return "each cell's axes";
    case Mark::TokenCells: return "token cells (the query's: shaded)";
    case Mark::KdSplits: return "k-d splits";
    case Mark::PqCentroids: return "PQ centroids";
    case Mark::GraphLinks: return "graph links of this layer";
    case Mark::Candidate: return "distance computed";
    case Mark::BucketMates: return "in the query's bucket";
    case Mark::SharedTokens: return "shares query tokens (brighter: more)";
    case Mark::KdLeaves: return "in a visited leaf";
    case Mark::EntryPoint: return "entry point";
    case Mark::GreedyPath: return "greedy path (upper layers)";
    case Mark::Expanded: return "expanded (bottom layer)";
    case Mark::ProbeOrder: return "probe order";
    case Mark::ProbedMembers: return "in a probed cell";
    case Mark::OpenedMembers: return "in an opened bucket";
    case Mark::CurrentBest: return "best k so far";
    case Mark::StepEvent: return "this step";
    case Mark::MissFocus: return "the missed neighbour and where it was lost";
    case Mark::ExactFound: return "true neighbour, found";
    case Mark::ExactMissed: return "true neighbour, missed";
    case Mark::MethodAnswer: return "method's answer";
    case Mark::Query: return "query";
  }
  return "?";
}

struct Marks {
  std::vector<Mark> drawn;
  void note(Mark m) {
    if (std::find(drawn.begin(), drawn.end(), m) == drawn.end()) drawn.push_back(m);
  }
};

constexpr ImU32 kColPath = IM_COL32(255, 120, 220, 255);
constexpr ImU32 kColExpanded = IM_COL32(120, 220, 255, 200);
constexpr ImU32 kColLine = IM_COL32(230, 230, 255, 110);
constexpr ImU32 kColMember = IM_COL32(255, 255, 255, 70);
constexpr ImU32 kColStep = IM_COL32(255, 255, 80, 255);
constexpr ImU32 kColFocus = IM_COL32(255, 80, 255, 255);

// A missed true neighbour: the found ring with a cross through it (told apart by shape, not by
// red against green).
void missed_mark(ImDrawList* dl, ImVec2 p, float r) {
  dl->AddCircle(p, r, kColMiss, 12, 2.0f);
  dl->AddLine(ImVec2(p.x - r, p.y - r), ImVec2(p.x + r, p.y + r), kColMiss, 2.0f);
  dl->AddLine(ImVec2(p.x - r, p.y + r), ImVec2(p.x + r, p.y - r), kColMiss, 2.0f);
}

// The legend's sample of a mark, centred at c.
void swatch(ImDrawList* dl, Mark m, ImVec2 c) {
  switch (m) {
    case Mark::BucketRegions: case Mark::Cells: case Mark::TokenCells:
      dl->AddRectFilled(ImVec2(c.x - 6, c.y - 5), ImVec2(c.x + 6, c.y + 5), label_color(3, 110));
      break;
    case Mark::Hyperplanes: case Mark::Slabs: case Mark::KdSplits:
      dl->AddLine(ImVec2(c.x - 7, c.y + 5), ImVec2(c.x + 7, c.y - 5), kColLine, 1.5f);
      break;
    case Mark::Centroids:
      dl->AddLine(ImVec2(c.x - 4, c.y), ImVec2(c.x + 4, c.y), IM_COL32_WHITE, 1.5f);
      dl->AddLine(ImVec2(c.x, c.y - 4), ImVec2(c.x, c.y + 4), IM_COL32_WHITE, 1.5f);
      break;
    case Mark::LopqAxes:
      dl->AddLine(ImVec2(c.x - 6, c.y), ImVec2(c.x + 6, c.y), IM_COL32(255, 170, 60, 200), 1.5f);
      dl->AddLine(ImVec2(c.x, c.y - 5), ImVec2(c.x, c.y + 5), IM_COL32(90, 220, 255, 200), 1.5f);
      break;
    case Mark::PqCentroids: dl->AddCircle(c, 2.5f, kColLine); break;
    case Mark::GraphLinks: dl->AddLine(ImVec2(c.x - 7, c.y + 4), ImVec2(c.x + 7, c.y - 4), IM_COL32(200, 210, 255, 140)); break;
    case Mark::Candidate: case Mark::SharedTokens:
      dl->AddRectFilled(ImVec2(c.x - 2, c.y - 2), ImVec2(c.x + 2, c.y + 2), kColCandidate);
      break;
    case Mark::BucketMates: dl->AddRect(ImVec2(c.x - 3.5f, c.y - 3.5f), ImVec2(c.x + 3.5f, c.y + 3.5f), kColCandidate); break;
    case Mark::KdLeaves: case Mark::Expanded: dl->AddRect(ImVec2(c.x - 2.5f, c.y - 2.5f), ImVec2(c.x + 2.5f, c.y + 2.5f), kColExpanded); break;
    case Mark::EntryPoint: dl->AddCircle(c, 6, kColPath, 12, 2.0f); break;
    case Mark::GreedyPath:
      dl->AddLine(ImVec2(c.x - 7, c.y), ImVec2(c.x + 7, c.y), kColPath, 2.0f);
      dl->AddCircleFilled(ImVec2(c.x + 7, c.y), 3, kColPath);
      break;
    case Mark::ProbeOrder:
      dl->AddCircleFilled(c, 7, IM_COL32(20, 20, 20, 220));
      dl->AddCircle(c, 7, kColCandidate, 16, 1.5f);
      dl->AddText(ImVec2(c.x - 3.5f, c.y - 7), kColCandidate, "1");
      break;
    case Mark::ExactFound: dl->AddCircle(c, 6, kColHit, 12, 2); break;
    case Mark::ExactMissed: missed_mark(dl, c, 5); break;
    case Mark::MethodAnswer: dl->AddCircle(c, 7, kColMethod, 12, 1.5f); break;
    case Mark::CurrentBest: dl->AddCircle(c, 7, kColMethod, 12, 1.5f); break;
    case Mark::ProbedMembers:
    case Mark::OpenedMembers: dl->AddRect(ImVec2(c.x - 2, c.y - 2), ImVec2(c.x + 2, c.y + 2), kColMember); break;
    case Mark::StepEvent: dl->AddCircle(c, 6, kColStep, 12, 2.5f); break;
    case Mark::MissFocus: dl->AddCircle(c, 6, kColFocus, 12, 3); break;
    case Mark::Query:
      dl->AddLine(ImVec2(c.x - 6, c.y), ImVec2(c.x + 6, c.y), kColQuery, 2.5f);
      dl->AddLine(ImVec2(c.x, c.y - 6), ImVec2(c.x, c.y + 6), kColQuery, 2.5f);
      break;
  }
}


// What the structure assigns each of n points, as a colour index, and its name ("k-means cell"):
// a cell, a k-d leaf, a bucket of table `table`, a token or PQ code of sub-space `table`, or a
// binary code's first 6 bits. Empty when the structure assigns nothing that partitions the points
// (a graph: nearly every node's top level is 0).
std::vector<int> structure_colours(const Structure& st, size_t n, int table, std::string* what) {
  std::vector<int> out;
  const size_t t = size_t(std::max(table, 0));
  if (const CellLayer* c = st.find<CellLayer>(); c && c->assignment.size() == n) {
    *what = "k-means cell";
    out.assign(c->assignment.begin(), c->assignment.end());
  } else if (const KdTreeLayer* kd = st.find<KdTreeLayer>(); kd && kd->leaf.size() == n) {
    *what = "k-d leaf";
    out.assign(kd->leaf.begin(), kd->leaf.end());
  } else if (const BucketLayer* b = st.find<BucketLayer>(); b && !b->keys.empty() && b->keys[std::min(t, b->keys.size() - 1)].size() == n) {
    const size_t tb = std::min(t, b->keys.size() - 1);
    *what = cat("bucket in table ", tb);
    for (uint64_t k : b->keys[tb]) out.push_back(int((k * 0x9E3779B97F4A7C15ull) >> 40));
  } else if (const TokenLayer* tk = st.find<TokenLayer>(); tk && tk->g && tk->tokens.size() == n * tk->g) {
    const size_t j = std::min(t, tk->g - 1);
    *what = cat("token in sub-space ", j);
    for (size_t i = 0; i < n; ++i) out.push_back(int(tk->tokens[i * tk->g + j]));
  } else if (const CodebookLayer* cb = st.find<CodebookLayer>(); cb && cb->m && cb->codes.size() == n * cb->m) {
    const size_t j = std::min(t, cb->m - 1);
    *what = cat("PQ code in sub-space ", j);
    for (size_t i = 0; i < n; ++i) out.push_back(int(cb->codes[i * cb->m + j]));
  } else if (const BinaryCodeLayer* bc = st.find<BinaryCodeLayer>(); bc && bc->words && bc->codes.size() == n * bc->words) {
    *what = "code's first 6 bits";
    for (size_t i = 0; i < n; ++i) out.push_back(int(bc->codes[i * bc->words] & 63u));
  }
  return out;
}

// One line for the event the stepper just replayed.
std::string describe_event(const TraceEvent& e, const Results& r, const Structure* st, const TraceEvent* prev) {
  const KdTreeLayer* kd = st ? st->find<KdTreeLayer>() : nullptr;
  if (e.kind == TraceKind::NodeVisited && kd && e.id >= 0 && size_t(e.id) < kd->nodes.size()) {
    // The k-d tree: a branch descended, or a backtrack to a branch left for later.
    const KdTreeLayer::Split& n = kd->nodes[size_t(e.id)];
    bool child = false;
    if (prev && prev->kind == TraceKind::NodeVisited && prev->id >= 0 && size_t(prev->id) < kd->nodes.size()) {
      const KdTreeLayer::Split& p = kd->nodes[size_t(prev->id)];
      child = p.dim >= 0 && (p.left == e.id || p.right == e.id);
    }
    const std::string how = !prev ? "started at" : child ? "descended to" : "backtracked to";
    return n.dim < 0 ? cat(how, " leaf ", e.id, " (", n.right - n.left, " points)")
                     : cat(how, " node ", e.id, ": split on coordinate ", n.dim, " at ", n.value);
  }
  switch (e.kind) {
    case TraceKind::BucketOpened: return cat("opened bucket ", e.id, " of table ", e.table, " (", int64_t(e.value), " points)");
    case TraceKind::CellProbed:
      // The router's value is a cell's order key: the nearest centroid's squared distance, or minus
      // layer 1's probability.
      return r.cell_probs.empty()
                 ? cat("probed cell ", e.id, " (", ordinal(size_t(e.table) + 1), "; its centroid at squared distance ", e.value, ")")
                 : cat("probed cell ", e.id, " (", ordinal(size_t(e.table) + 1), "; layer 1: p = ", -e.value, ")");
    case TraceKind::NodeVisited: return cat("visited node ", e.id, " on layer ", e.table);
    case TraceKind::DistanceComputed: return cat("computed the distance to ", e.id, ": ", e.value);
    case TraceKind::TopKChanged: return cat(e.id, " entered the best k at #", e.table + 1, " (", e.value, ")");
    case TraceKind::CodeCompared:
      return r.code_bits ? cat("compared codes: ", e.id, " is ", int64_t(e.value), " bits from the query's code")
                         : cat("looked up ", e.id, "'s PQ code in the table: estimate ", e.value);
    case TraceKind::CellsRanked:
      return e.id < 0 ? cat("ranked the cells (", e.table, " distance-equivalents)")
                      : cat("layer 2 ranked the members of cell ", e.id, " (", e.table, " distance-equivalents)");
  }
  return "";
}

// The node visited before the last event replayed (for the k-d tree's descend / backtrack).
const TraceEvent* prev_node(const TraceReplay& rp, const Trace& t) {
  for (size_t i = rp.position() - 1; i-- > 0;)
    if (t.events[i].kind == TraceKind::NodeVisited) return &t.events[i];
  return nullptr;
}

// The stepper's controls and its running counts (under the map's toolbar).
void draw_stepper_bar(AppState& s) {
  const Results& r = s.inspector.results;
  if (!r.valid || !r.trace || r.trace->events.empty()) return;
  AppState::Stepper& st = s.stepper;
  if (!st.active) {
    if (ImGui::Button("Step through")) s.stepper_start();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Replay this search on the map, event by event: buckets opened, cells probed, nodes\n"
                        "visited, distances computed, and the best k as it changes (%zu events).", r.trace->events.size());
    return;
  }
  const size_t n = st.replay.size();
  if (ImGui::Button("|<")) s.stepper_seek(0);
  ImGui::SameLine();
  if (ImGui::Button(st.playing ? "Pause" : "Play")) {
    if (!st.playing && st.replay.at_end()) s.stepper_seek(0);
    st.playing = !st.playing;
  }
  ImGui::SameLine();
  if (ImGui::Button("Step")) {
    st.playing = false;
    s.stepper_step();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One event (a run of code comparisons is one step)");
  ImGui::SameLine();
  if (ImGui::Button(">|")) s.stepper_seek(n);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("events/s", &st.speed, 0.0f, 100000.0f, st.speed > 0 ? "%.0f" : "auto", ImGuiSliderFlags_Logarithmic);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Playing speed; auto plays the whole trace in about 8 seconds");
  ImGui::SameLine();
  int pos = int(st.pos);
  ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - 60));
  if (ImGui::SliderInt("##stepper", &pos, 0, int(n), "event %d")) {
    st.playing = false;
    s.stepper_seek(size_t(pos));
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Done")) s.stepper_stop();
  // The running counts beside the search's, and the best k against the true k.
  size_t true_in = 0;
  for (int64_t id : st.replay.best_ids)
    true_in += std::find(r.exact_ids.begin(), r.exact_ids.end(), id) != r.exact_ids.end();
  std::string line = cat("event ", st.replay.position(), "/", n, ": ",
                         st.replay.last() ? describe_event(*st.replay.last(), r, s.structure.get(), prev_node(st.replay, *r.trace))
                                          : std::string("(start)"));
  line += cat("   |  distances ", st.replay.counts.distances, " of ", r.stats.distances);
  if (st.replay.codes_compared) line += cat(", codes ", st.replay.codes_compared);
  if (r.stats.cells) line += cat(", cells ", st.replay.counts.cells);
  if (r.stats.buckets) line += cat(", buckets ", st.replay.counts.buckets);
  if (r.stats.nodes) line += cat(", nodes ", st.replay.counts.nodes);
  line += cat("   |  best k so far: ", st.replay.best_ids.size(), ", ", true_in, " of the true ", r.exact_ids.size());
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(line.c_str());
  ImGui::PopTextWrapPos();
}

template <class ToWorld, class Region>
void shade_regions(ImDrawList* dl, ImVec2 origin, ImVec2 size, ToWorld to_world, Region region,
                   const std::vector<uint64_t>& order, float step) {
  struct Sum { double x = 0, y = 0; size_t n = 0; };
  std::vector<Sum> centre(order.size());
  for (float sy = origin.y; sy < origin.y + size.y; sy += step)
    for (float sx = origin.x; sx < origin.x + size.x; sx += step) {
      float x, y;
      to_world(ImVec2(sx + step / 2, sy + step / 2), &x, &y);
      const uint64_t id = region(x, y);
      const auto it = std::find(order.begin(), order.end(), id);
      const int hash = int((id * 0x9E3779B97F4A7C15ull) >> 58);
      dl->AddRectFilled(ImVec2(sx, sy), ImVec2(sx + step, sy + step), label_color(hash, it != order.end() ? 100 : 30));
      if (it != order.end()) {
        Sum& c = centre[size_t(it - order.begin())];
        c.x += sx + step / 2;
        c.y += sy + step / 2;
        ++c.n;
      }
    }
  for (size_t o = 0; o < order.size() && o < 64; ++o) {
    if (!centre[o].n) continue;
    const ImVec2 p(float(centre[o].x / double(centre[o].n)), float(centre[o].y / double(centre[o].n)));
    const std::string label = std::to_string(o + 1);
    dl->AddCircleFilled(p, 9, IM_COL32(20, 20, 20, 200));
    dl->AddText(ImVec2(p.x - 3.5f * float(label.size()), p.y - 7), kColCandidate, label.c_str());
  }
}

template <class ToScreen, class ToWorld>
void draw_structure_2d(ImDrawList* dl, const Structure& st, const Results& res, const MapView& v, ToScreen to_screen,
                       ToWorld to_world, ImVec2 origin, ImVec2 size, Marks& marks) {
  const ImU32 line = kColLine;
  float wx0, wy0, wx1, wy1;
  to_world(origin, &wx0, &wy1);
  to_world(ImVec2(origin.x + size.x, origin.y + size.y), &wx1, &wy0);
  const SlabLayer* slabs = st.find<SlabLayer>();
  const HyperplaneLayer* planes_layer = st.find<HyperplaneLayer>();
  const CellLayer* cells = st.find<CellLayer>();
  const TokenLayer* tokens = st.find<TokenLayer>();
  const KdTreeLayer* kd = st.find<KdTreeLayer>();
  const CodebookLayer* books = st.find<CodebookLayer>();
  if (st.dim != 2) return;
  if (slabs && slabs->width > 0) {
    // The slab boundaries a . x + b = m w of the chosen table's k functions.
    const float w = slabs->width;
    marks.note(Mark::Slabs);
    for (const Hyperplane& h : slabs->functions) {
      if (int(h.table) != v.table || h.normal.size() < 2) continue;
      const float nx = h.normal[0], ny = h.normal[1], nn = nx * nx + ny * ny;
      if (nn <= 0) continue;
      float lo = 1e30f, hi = -1e30f;
      for (float cx : {wx0, wx1})
        for (float cy : {wy0, wy1}) {
          const float u = (nx * cx + ny * cy - h.offset) / w;
          lo = std::min(lo, u);
          hi = std::max(hi, u);
        }
      if (hi - lo > 400) continue;  // too many slabs to see at this zoom
      const float len = std::sqrt(nn), L = 4 * std::max(wx1 - wx0, wy1 - wy0);
      const ImU32 col = label_color(int(h.bit), 120);
      for (float m = std::ceil(lo); m <= hi; m += 1) {
        const float off = m * w + h.offset, px = nx * off / nn, py = ny * off / nn;
        dl->AddLine(to_screen(px - ny / len * L, py + nx / len * L), to_screen(px + ny / len * L, py - nx / len * L), col, 1.0f);
      }
    }
  } else if (planes_layer) {
    // Hash tables (LSH): one table's planes at a time. Binary codes (SimHash): every bit's plane.
    const bool tables = st.find<BucketLayer>() != nullptr;
    if (tables) {
      // The chosen table's buckets as coloured regions (sampled on a grid of the view); the buckets
      // the query's search opened in this table brighter and numbered in probe order.
      std::vector<const Hyperplane*> planes;
      for (const Hyperplane& h : planes_layer->planes)
        if (int(h.table) == v.table && h.normal.size() == 2) planes.push_back(&h);
      auto key_at = [&](float x, float y) {
        uint64_t key = 0;
        for (const Hyperplane* h : planes)
          if (h->normal[0] * x + h->normal[1] * y >= h->offset) key |= uint64_t{1} << h->bit;
        return key;
      };
      std::vector<uint64_t> order;
      for (const auto& [t, key] : res.probed_buckets)
        if (int(t) == v.table) order.push_back(key);
      shade_regions(dl, origin, size, to_world, key_at, order, 8.0f);
      marks.note(Mark::BucketRegions);
    }
    marks.note(Mark::Hyperplanes);
    for (const Hyperplane& h : planes_layer->planes) {
      if ((tables && int(h.table) != v.table) || h.normal.size() < 2) continue;
      const float nx = h.normal[0], ny = h.normal[1], nn = nx * nx + ny * ny;
      if (nn <= 0) continue;
      const float px = nx * h.offset / nn, py = ny * h.offset / nn, len = std::sqrt(nn);
      const float L = 4 * std::max(wx1 - wx0, wy1 - wy0);
      dl->AddLine(to_screen(px - ny / len * L, py + nx / len * L), to_screen(px + ny / len * L, py - nx / len * L), line, 1.5f);
    }
  } else if (cells) {
    // Voronoi cells, shaded by sampling a grid of the view; probed cells brighter.
    const std::vector<float>& centroids = cells->centroids;
    const size_t k = centroids.size() / 2;
    marks.note(Mark::Cells);
    marks.note(Mark::Centroids);
    const float step = k > 512 ? 14.0f : 8.0f;
    std::vector<uint8_t> probed(k, 0);
    for (int64_t c : res.probed_cells) probed[size_t(c)] = 1;
    for (float sy = origin.y; sy < origin.y + size.y; sy += step)
      for (float sx = origin.x; sx < origin.x + size.x; sx += step) {
        float x, y;
        to_world(ImVec2(sx + step / 2, sy + step / 2), &x, &y);
        const size_t best = nearest_2d(centroids, x, y);
        dl->AddRectFilled(ImVec2(sx, sy), ImVec2(sx + step, sy + step), label_color(int(best), probed[best] ? 95 : 38));
      }
    for (size_t c = 0; c < k; ++c) {
      const ImVec2 p = to_screen(centroids[2 * c], centroids[2 * c + 1]);
      dl->AddLine(ImVec2(p.x - 4, p.y), ImVec2(p.x + 4, p.y), IM_COL32_WHITE, 1.5f);
      dl->AddLine(ImVec2(p.x, p.y - 4), ImVec2(p.x, p.y + 4), IM_COL32_WHITE, 1.5f);
    }
    const std::vector<float>& axes = cells->axes;
    if (axes.size() == k * 4) {
      marks.note(Mark::LopqAxes);
      // LOPQ: each cell's principal axes, two standard deviations each way; the first row of the
      // rotation (sub-vector 1) in orange, the second (sub-vector 2, or 1 again when M = 1) in cyan.
      for (size_t c = 0; c < k; ++c) {
        const float cx = centroids[2 * c], cy = centroids[2 * c + 1];
        for (int a = 0; a < 2; ++a) {
          const float ax = 2 * axes[c * 4 + size_t(a) * 2], ay = 2 * axes[c * 4 + size_t(a) * 2 + 1];
          const ImU32 col = a == 0 ? IM_COL32(255, 170, 60, probed[c] ? 255 : 150) : IM_COL32(90, 220, 255, probed[c] ? 255 : 150);
          dl->AddLine(to_screen(cx - ax, cy - ay), to_screen(cx + ax, cy + ay), col, probed[c] ? 2.5f : 1.5f);
        }
      }
    }
  } else if (tokens) {
    // g = 1: the m centroids' Voronoi cells in the plane. g = 2: one 1-D k-means per axis, so the
    // cells are bands between midpoints of neighbouring centroids. The query's tokens shaded.
    const size_t g = tokens->g, m = tokens->m;
    const std::vector<float>& centroids = tokens->centroids;
    if (g <= 2) marks.note(Mark::TokenCells);
    if (g == 1) {
      auto cell_at = [&](float x, float y) { return uint64_t(nearest_2d(centroids, x, y)); };
      std::vector<uint64_t> order;
      if (!res.query_tokens.empty() && res.query_tokens[0] >= 0) order.push_back(uint64_t(res.query_tokens[0]));
      shade_regions(dl, origin, size, to_world, cell_at, order, m > 512 ? 14.0f : 8.0f);
      for (size_t c = 0; c < m; ++c) dl->AddCircle(to_screen(centroids[2 * c], centroids[2 * c + 1]), 2.5f, line);
    } else if (g == 2) {
      for (size_t j = 0; j < 2; ++j) {
        std::vector<float> c(centroids.begin() + long(j * m), centroids.begin() + long((j + 1) * m));
        const float q = !res.query_tokens.empty() && res.query_tokens[j] >= 0 ? c[size_t(res.query_tokens[j])] : NAN;
        std::sort(c.begin(), c.end());
        for (size_t a = 0; a < m; ++a) {
          const float lo = a ? (c[a - 1] + c[a]) / 2 : -1e6f, hi = a + 1 < m ? (c[a] + c[a + 1]) / 2 : 1e6f;
          if (a + 1 < m) {
            if (j == 0) dl->AddLine(to_screen(hi, wy0), to_screen(hi, wy1), line, 1.0f);
            else dl->AddLine(to_screen(wx0, hi), to_screen(wx1, hi), line, 1.0f);
          }
          if (c[a] == q) {
            const ImU32 band = j == 0 ? IM_COL32(255, 170, 60, 45) : IM_COL32(90, 220, 255, 45);
            if (j == 0) dl->AddRectFilled(to_screen(std::max(lo, wx0), wy1), to_screen(std::min(hi, wx1), wy0), band);
            else dl->AddRectFilled(to_screen(wx0, std::min(hi, wy1)), to_screen(wx1, std::max(lo, wy0)), band);
          }
        }
      }
    }
  } else if (kd && !kd->nodes.empty()) {
    marks.note(Mark::KdSplits);
    // Each split is a segment inside its node's box.
    struct Box { int32_t node; float x0, y0, x1, y1; int depth; };
    std::vector<Box> stack{{0, wx0 - 1e6f, wy0 - 1e6f, wx1 + 1e6f, wy1 + 1e6f, 0}};
    while (!stack.empty()) {
      const Box b = stack.back();
      stack.pop_back();
      const KdTreeLayer::Split& sp = kd->nodes[size_t(b.node)];
      if (sp.dim < 0 || b.depth > 14) continue;
      if (sp.dim == 0) {
        dl->AddLine(to_screen(sp.value, std::max(b.y0, wy0)), to_screen(sp.value, std::min(b.y1, wy1)), line, 1.0f);
        stack.push_back({sp.left, b.x0, b.y0, sp.value, b.y1, b.depth + 1});
        stack.push_back({sp.right, sp.value, b.y0, b.x1, b.y1, b.depth + 1});
      } else {
        dl->AddLine(to_screen(std::max(b.x0, wx0), sp.value), to_screen(std::min(b.x1, wx1), sp.value), line, 1.0f);
        stack.push_back({sp.left, b.x0, b.y0, b.x1, sp.value, b.depth + 1});
        stack.push_back({sp.right, b.x0, sp.value, b.x1, b.y1, b.depth + 1});
      }
    }
  } else if (books) {
    // M = 1: ksub centroids in the plane. M = 2: one codebook per axis, a grid of ksub x ksub cells.
    const size_t m = books->m, per = books->ksub;
    const std::vector<float>& centroids = books->centroids;
    if (m <= 2) marks.note(Mark::PqCentroids);
    if (m == 1) {
      for (size_t c = 0; c < per; ++c) dl->AddCircle(to_screen(centroids[2 * c], centroids[2 * c + 1]), 2.5f, line);
    } else if (m == 2) {
      for (size_t c = 0; c < per; ++c) {
        const float x = centroids[c], y = centroids[per + c];
        dl->AddLine(to_screen(x, wy0), to_screen(x, wy1), IM_COL32(230, 230, 255, 40));
        dl->AddLine(to_screen(wx0, y), to_screen(wx1, y), IM_COL32(230, 230, 255, 40));
      }
    }
  }
}

template <class ToScreen>
void draw_graph_2d(ImDrawList* dl, const GraphLayer& g, int layer, ToScreen to_screen, const LabData& d, Marks& marks) {
  marks.note(Mark::GraphLinks);
  for (const GraphLayer::Edge& e : g.edges)
    if (int(e.level) == layer)
      dl->AddLine(to_screen(d.base_xy[2 * e.from], d.base_xy[2 * e.from + 1]),
                  to_screen(d.base_xy[2 * e.to], d.base_xy[2 * e.to + 1]), IM_COL32(200, 210, 255, layer ? 140 : 45));
}

}  // namespace

// One pane of the map: the data with one index's structure, trace and answer. Every pane shares
// the MapView (pan and zoom in any pane move all of them); the primary pane is the current index's
// (fitted to, stepped through, and its legend kept for tests).
struct MapPane {
  const Structure* st = nullptr;
  const Results* res = nullptr;
  const Index* index = nullptr;
  std::string title;
  bool primary = true;
};

void draw_map_area(AppState& s, const MapPane& pane, ImVec2 origin, ImVec2 size) {
  MapView& v = s.map;
  const LabData& d = *s.source.data;
  const Structure* st = pane.st;
  const Results& results = *pane.res;
  const BucketLayer* buckets = st ? st->find<BucketLayer>() : nullptr;
  const CellLayer* cell_layer = st ? st->find<CellLayer>() : nullptr;
  const GraphLayer* graph = st ? st->find<GraphLayer>() : nullptr;
  const KdTreeLayer* kd = st ? st->find<KdTreeLayer>() : nullptr;
  const bool lsh2d = !d.images() && buckets && !buckets->keys.empty() &&
                     (st->find<HyperplaneLayer>() || st->find<SlabLayer>());
  const bool cells = cell_layer && !cell_layer->assignment.empty();
  const int layers = graph ? graph->levels() : 0;
  // The stepper (primary pane): only what happened before this event is drawn.
  const bool stepping = pane.primary && s.stepper.active;
  const size_t cutoff = pane.primary ? s.stepper.cutoff() : size_t(-1);
  ImGui::SetCursorScreenPos(origin);
  if (pane.primary) {
    if (v.fitted_serial != s.source.serial) fit(v, d, s.source.serial, size);
    v.width = size.x;
    v.height = size.y;
    v.left = origin.x;
    v.top = origin.y;
  }
  if (v.want_view) {  // a link's framing, relative to the fitted view
    v.want_view = false;
    v.cx = v.want_cx;
    v.cy = v.want_cy;
    v.scale = v.want_zoom * v.fit_scale();
  }
  ImGui::InvisibleButton("map", size, ImGuiButtonFlags_MouseButtonLeft);
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mid(origin.x + size.x / 2, origin.y + size.y / 2);
  auto to_screen = [&](float x, float y) { return ImVec2(mid.x + (x - v.cx) * v.scale, mid.y - (y - v.cy) * v.scale); };
  auto to_world = [&](ImVec2 p, float* x, float* y) {
    *x = v.cx + (p.x - mid.x) / v.scale;
    *y = v.cy - (p.y - mid.y) / v.scale;
  };
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3.0f)) {
    v.cx -= io.MouseDelta.x / v.scale;
    v.cy += io.MouseDelta.y / v.scale;
  }
  if (hovered && io.MouseWheel != 0) {
    float wx, wy;
    to_world(io.MousePos, &wx, &wy);
    v.scale *= std::pow(1.15f, io.MouseWheel);
    v.cx = wx - (io.MousePos.x - mid.x) / v.scale;
    v.cy = wy + (io.MousePos.y - mid.y) / v.scale;
  }
  if (ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 9.0f && hovered) {
    float wx, wy;
    to_world(io.MousePos, &wx, &wy);
    s.set_query_from_map(wx, wy);
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(18, 20, 26, 255));
  if (!s.pinned.empty()) {  // side by side: each pane names its index and its recall
    const std::string t = pane.title.empty() ? std::string("(no index built)")
                          : results.valid && pane.index ? cat(pane.title, "   recall@", results.k, " ",
                                                              std::to_string(results.recall).substr(0, 4))
                                                        : pane.title;
    dl->AddText(ImVec2(origin.x + 6, origin.y + 4), pane.primary ? kColMethod : IM_COL32(230, 230, 230, 255), t.c_str());
  }
  // Points: one quad each, reserved in one go (60,000 for Fashion-MNIST).
  const float r = d.images() ? 1.0f : 2.0f;
  const int alpha = d.images() ? 150 : 220;
  const bool labelled = d.base.has_labels();
  // Colour by what the structure assigns each point (v.by_cell): its cell, leaf, bucket in the
  // table shown, token in sub-space `table`, or top graph level; else by label.
  std::vector<int> assigned;
  std::string assigned_what;
  // IVF's cells colour by default ("colour by cell", a link's show=cells); other structures on request.
  if (st && (cells ? v.by_cell : v.by_structure)) assigned = structure_colours(*st, d.base.n, v.table, &assigned_what);
  const bool colour_cells = !assigned.empty();
  Marks marks;
  if (!d.images() && v.planes && st) {
    if (stepping) {
      // The buckets opened and the cells probed so far.
      Results cut = results;
      auto before = [&](const std::vector<uint32_t>& at) {
        return size_t(std::lower_bound(at.begin(), at.end(), uint32_t(std::min<size_t>(cutoff, UINT32_MAX))) - at.begin());
      };
      if (cut.bucket_at.size() == cut.probed_buckets.size()) cut.probed_buckets.resize(before(cut.bucket_at));
      if (cut.cell_at.size() == cut.probed_cells.size()) cut.probed_cells.resize(before(cut.cell_at));
      draw_structure_2d(dl, *st, cut, v, to_screen, to_world, origin, size, marks);
    } else {
      draw_structure_2d(dl, *st, results, v, to_screen, to_world, origin, size, marks);
    }
  }
  dl->PrimReserve(int(d.base.n) * 6, int(d.base.n) * 4);  // nothing else may be drawn until the points are written
  for (size_t i = 0; i < d.base.n; ++i) {
    const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
    const int colour = colour_cells ? assigned[i] : labelled ? d.base.labels[i] : 0;
    dl->PrimRect(ImVec2(p.x - r, p.y - r), ImVec2(p.x + r, p.y + r), label_color(colour, alpha));
  }
  if (layers > 0 && !d.images() && v.planes) draw_graph_2d(dl, *graph, v.table, to_screen, d, marks);
  if (st && s.inspector.query.set && results.valid && !results.visited_nodes.empty()) {
    const Results& res = results;
    if (graph) {
      // The greedy path down the upper layers from the entry point (where the search starts, not
      // the query), then the nodes the bottom-layer search expanded.
      bool started = false;
      ImVec2 prev;
      for (size_t e = 0; e < res.visited_nodes.size(); ++e) {
        if (e < res.node_at.size() && res.node_at[e] >= cutoff) break;
        const size_t id = size_t(res.visited_nodes[e]);
        const ImVec2 p = to_screen(d.base_xy[2 * id], d.base_xy[2 * id + 1]);
        if (res.visited_layers[e] > 0) {
          if (!started) {
            dl->AddCircle(p, 7.0f, kColPath, 12, 2.0f);  // the entry point
            marks.note(Mark::EntryPoint);
            started = true;
            prev = p;
          }
          dl->AddLine(prev, p, kColPath, 2.0f);
          dl->AddCircleFilled(p, 3.5f, kColPath);
          marks.note(Mark::GreedyPath);
          prev = p;
        } else {
          dl->AddRect(ImVec2(p.x - 2.5f, p.y - 2.5f), ImVec2(p.x + 2.5f, p.y + 2.5f), kColExpanded);
          marks.note(Mark::Expanded);
        }
      }
    } else if (kd && kd->leaf.size() == d.base.n) {
      // Points of every leaf the search visited.
      std::vector<uint8_t> leaf_seen(kd->nodes.size(), 0);
      for (size_t e = 0; e < res.visited_nodes.size(); ++e) {
        if (e < res.node_at.size() && res.node_at[e] >= cutoff) break;
        const int64_t nd = res.visited_nodes[e];
        if (nd >= 0 && size_t(nd) < leaf_seen.size() && kd->nodes[size_t(nd)].dim < 0) leaf_seen[size_t(nd)] = 1;
      }
      for (size_t i = 0; i < d.base.n; ++i)
        if (kd->leaf[i] >= 0 && leaf_seen[size_t(kd->leaf[i])]) {
          const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
          dl->AddRect(ImVec2(p.x - 2.5f, p.y - 2.5f), ImVec2(p.x + 2.5f, p.y + 2.5f), kColExpanded);
          marks.note(Mark::KdLeaves);
        }
    }
  }
  if (cells && s.inspector.query.set && results.valid) {
    // Probed cells in probe order, numbered at their centroids (projected for images).
    std::vector<float> xy(2);
    if (d.images() && cell_layer->assignment.size() == d.base.n) {
      // On a map of images the cells are not regions: their member points show where they are.
      std::vector<uint8_t> probed(cell_layer->cells(d.base.d), 0);
      for (size_t o = 0; o < results.probed_cells.size(); ++o)
        if (o >= results.cell_at.size() || results.cell_at[o] < cutoff)
          if (size_t(results.probed_cells[o]) < probed.size()) probed[size_t(results.probed_cells[o])] = 1;
      for (size_t i = 0; i < d.base.n; ++i)
        if (cell_layer->assignment[i] >= 0 && probed[size_t(cell_layer->assignment[i])]) {
          const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
          dl->AddRect(ImVec2(p.x - 2.0f, p.y - 2.0f), ImVec2(p.x + 2.0f, p.y + 2.0f), kColMember);
          marks.note(Mark::ProbedMembers);
        }
    }
    for (size_t o = 0; o < results.probed_cells.size() && o < 64; ++o) {
      if (o < results.cell_at.size() && results.cell_at[o] >= cutoff) break;
      const size_t c = size_t(results.probed_cells[o]);
      d.project(cell_layer->centroids.data() + c * d.base.d, xy.data());
      const ImVec2 p = to_screen(xy[0], xy[1]);
      marks.note(Mark::ProbeOrder);
      dl->AddCircleFilled(p, 9, IM_COL32(20, 20, 20, 220));
      dl->AddCircle(p, 9, kColCandidate, 16, 1.5f);
      const std::string label = std::to_string(o + 1);
      dl->AddText(ImVec2(p.x - 3.5f * float(label.size()), p.y - 7), kColCandidate, label.c_str());
    }
  }
  if (s.inspector.query.set) {
    const Results& res = results;
    if (res.valid) {
      // The query's bucket mates in the selected table (2-D LSH), then every candidate.
      if (lsh2d && size_t(v.table) < res.query_keys.size()) {
        const auto& keys = buckets->keys[size_t(v.table)];
        for (size_t i = 0; i < keys.size() && i < d.base.n; ++i)
          if (keys[i] == res.query_keys[size_t(v.table)]) {
            const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
            dl->AddRect(ImVec2(p.x - 3.5f, p.y - 3.5f), ImVec2(p.x + 3.5f, p.y + 3.5f), kColCandidate);
            marks.note(Mark::BucketMates);
          }
      }
      if (!res.shared_tokens.empty() && res.shared_tokens.size() == d.base.n && !res.query_tokens.empty()) {
        // Tokens: every point sharing a kept query term, brighter the more it shares.
        // While stepping, only the posting lists walked so far count.
        const float g = float(res.query_tokens.size());
        const TokenLayer* tl = st ? st->find<TokenLayer>() : nullptr;
        std::vector<uint8_t> walked(res.query_tokens.size(), 1);
        if (stepping && tl && tl->tokens.size() == d.base.n * tl->g) {
          std::fill(walked.begin(), walked.end(), 0);
          for (size_t o = 0; o < res.probed_buckets.size(); ++o)
            if ((o >= res.bucket_at.size() || res.bucket_at[o] < cutoff) && res.probed_buckets[o].first < walked.size())
              walked[res.probed_buckets[o].first] = 1;
        }
        const bool all_walked = std::find(walked.begin(), walked.end(), 0) == walked.end();
        for (size_t i = 0; i < d.base.n; ++i) {
          int shared = res.shared_tokens[i];
          if (!all_walked) {
            shared = 0;
            for (size_t j = 0; j < walked.size(); ++j)
              shared += walked[j] && res.query_tokens[j] >= 0 && int32_t(tl->tokens[i * tl->g + j]) == res.query_tokens[j];
          }
          if (!shared) continue;
          marks.note(Mark::SharedTokens);
          const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
          const int a = 60 + int(195 * float(shared) / g);
          dl->AddRectFilled(ImVec2(p.x - 1.5f, p.y - 1.5f), ImVec2(p.x + 1.5f, p.y + 1.5f), (kColCandidate & 0x00FFFFFFu) | (ImU32(a) << 24));
        }
      }
      // Buckets opened (on images, where they are not regions): their member points.
      if (d.images() && buckets && !buckets->keys.empty() && !results.probed_buckets.empty()) {
        std::vector<std::vector<uint64_t>> opened(buckets->keys.size());
        for (size_t o = 0; o < results.probed_buckets.size(); ++o)
          if ((o >= results.bucket_at.size() || results.bucket_at[o] < cutoff) &&
              results.probed_buckets[o].first < opened.size())
            opened[results.probed_buckets[o].first].push_back(results.probed_buckets[o].second);
        for (size_t t = 0; t < opened.size(); ++t) {
          if (opened[t].empty() || buckets->keys[t].size() != d.base.n) continue;
          std::sort(opened[t].begin(), opened[t].end());
          for (size_t i = 0; i < d.base.n; ++i)
            if (std::binary_search(opened[t].begin(), opened[t].end(), buckets->keys[t][i])) {
              const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
              dl->AddRect(ImVec2(p.x - 2.0f, p.y - 2.0f), ImVec2(p.x + 2.0f, p.y + 2.0f), kColMember);
              marks.note(Mark::OpenedMembers);
            }
        }
      }
      for (size_t ci = 0; ci < res.candidates.size(); ++ci) {
        if (ci < res.candidate_at.size() && res.candidate_at[ci] >= cutoff) break;
        const int64_t id = res.candidates[ci];
        const ImVec2 p = to_screen(d.base_xy[2 * id], d.base_xy[2 * id + 1]);
        dl->AddRectFilled(ImVec2(p.x - 1.5f, p.y - 1.5f), ImVec2(p.x + 1.5f, p.y + 1.5f), kColCandidate);
        marks.note(Mark::Candidate);
      }
      for (int64_t id : res.exact_ids) {
        if (id < 0) continue;
        const ImVec2 p = to_screen(d.base_xy[2 * id], d.base_xy[2 * id + 1]);
        const std::vector<int64_t>& answer = stepping ? s.stepper.replay.best_ids : res.method_ids;
        const bool found = std::find(answer.begin(), answer.end(), id) != answer.end();
        if ((res.method_ids.empty() && !stepping) || found) {
          dl->AddCircle(p, 6.0f, kColHit, 12, 2.0f);
          marks.note(Mark::ExactFound);
        } else {
          missed_mark(dl, p, 5.0f);
          marks.note(Mark::ExactMissed);
        }
      }
      for (int64_t id : stepping ? s.stepper.replay.best_ids : res.method_ids) {
        if (id < 0 || size_t(id) >= d.base.n) continue;
        const ImVec2 p = to_screen(d.base_xy[2 * id], d.base_xy[2 * id + 1]);
        dl->AddCircle(p, 8.5f, kColMethod, 12, 1.5f);
        marks.note(stepping ? Mark::CurrentBest : Mark::MethodAnswer);
      }
      // The event just replayed: a ring on its point.
      if (stepping && s.stepper.replay.last()) {
        const TraceEvent& e = *s.stepper.replay.last();
        if ((e.kind == TraceKind::DistanceComputed || e.kind == TraceKind::CodeCompared ||
             e.kind == TraceKind::TopKChanged || e.kind == TraceKind::NodeVisited) &&
            e.id >= 0 && size_t(e.id) < d.base.n && !(e.kind == TraceKind::NodeVisited && kd)) {
          const ImVec2 p = to_screen(d.base_xy[2 * size_t(e.id)], d.base_xy[2 * size_t(e.id) + 1]);
          dl->AddCircle(p, 12.0f, kColStep, 16, 2.5f);
          marks.note(Mark::StepEvent);
        }
      }
      // A "why missed" entry clicked: the point, and the place it was lost (its cell's, bucket's or
      // leaf's points; the expanded node it is nearest to in the graph).
      if (pane.primary && s.focus_miss >= 0 && size_t(s.focus_miss) < res.misses.size()) {
        const MissReason& m = res.misses[size_t(s.focus_miss)];
        std::vector<uint8_t> place;
        if (m.where >= 0) {
          if ((m.stage == "cell" || m.stage == "layer 2" || m.stage == "code rank") && cell_layer &&
              cell_layer->assignment.size() == d.base.n) {
            for (size_t i = 0; i < d.base.n; ++i) place.push_back(cell_layer->assignment[i] == m.where);
          } else if (m.stage == "bucket" && buckets && m.table < buckets->keys.size() &&
                     buckets->keys[m.table].size() == d.base.n) {
            for (size_t i = 0; i < d.base.n; ++i) place.push_back(buckets->keys[m.table][i] == uint64_t(m.where));
          } else if (m.stage == "leaf" && kd && kd->leaf.size() == d.base.n) {
            for (size_t i = 0; i < d.base.n; ++i) place.push_back(kd->leaf[i] == m.where);
          } else if (m.stage == "graph" && size_t(m.where) < d.base.n) {
            const ImVec2 a = to_screen(d.base_xy[2 * size_t(m.where)], d.base_xy[2 * size_t(m.where) + 1]);
            const ImVec2 b = to_screen(d.base_xy[2 * size_t(m.id)], d.base_xy[2 * size_t(m.id) + 1]);
            dl->AddLine(a, b, kColFocus, 2.0f);
            dl->AddCircle(a, 7.0f, kColFocus, 12, 2.0f);
          }
        }
        for (size_t i = 0; i < place.size(); ++i)
          if (place[i]) {
            const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
            dl->AddRect(ImVec2(p.x - 2.5f, p.y - 2.5f), ImVec2(p.x + 2.5f, p.y + 2.5f), (kColFocus & 0x00FFFFFFu) | (90u << 24));
          }
        if (size_t(m.id) < d.base.n) {
          const ImVec2 p = to_screen(d.base_xy[2 * size_t(m.id)], d.base_xy[2 * size_t(m.id) + 1]);
          dl->AddCircle(p, 16.0f, kColFocus, 20, 3.0f);
        }
        marks.note(Mark::MissFocus);
      }
    }
    marks.note(Mark::Query);
    const ImVec2 q = to_screen(s.inspector.query.xy[0], s.inspector.query.xy[1]);
    dl->AddLine(ImVec2(q.x - 9, q.y), ImVec2(q.x + 9, q.y), kColQuery, 2.5f);
    dl->AddLine(ImVec2(q.x, q.y - 9), ImVec2(q.x, q.y + 9), kColQuery, 2.5f);
  }
  // Legend: exactly the marks drawn this frame, then what the point colours mean; rows from the
  // bottom up, wrapped to the map's width.
  std::vector<std::pair<std::string, Mark>> entries;
  for (Mark m : marks.drawn) {
    std::string name = mark_name(m);
    if (m == Mark::GraphLinks) name = cat("graph links of layer ", v.table);
    entries.emplace_back(std::move(name), m);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::string colours = colour_cells ? cat("point colour: its ", assigned_what, " (not its class)")
                              : labelled   ? (d.classes.empty() ? "point colour: its label" : "point colour: its class")
                                           : "";
  std::vector<std::string> legend;
  for (const auto& e : entries) legend.push_back(e.first);
  {
    std::vector<std::vector<size_t>> rows(1);
    float x = 0;
    const float width = size.x - 16;
    for (size_t i = 0; i < entries.size(); ++i) {
      const float w = 22 + ImGui::CalcTextSize(entries[i].first.c_str()).x + 14;
      if (x + w > width && !rows.back().empty()) {
        rows.emplace_back();
        x = 0;
      }
      rows.back().push_back(i);
      x += w;
    }
    // Class swatches (named classes), on their own row above the colour line.
    const bool class_row = labelled && !colour_cells && !d.classes.empty();
    const float line_h = 18;
    // The class swatches wrap like the marks: how many rows they take at this width.
    auto class_w = [&](size_t c) { return 11 + ImGui::CalcTextSize(d.classes[c].c_str()).x + 10; };
    size_t class_rows = 0;
    if (class_row) {
      float cx = 0;
      class_rows = 1;
      for (size_t c = 0; c < d.classes.size(); ++c) {
        if (cx + class_w(c) > width && cx > 0) {
          ++class_rows;
          cx = 0;
        }
        cx += class_w(c);
      }
    }
    const float extra = (colours.empty() ? 0 : line_h) + float(class_rows) * line_h;
    const float h = float(entries.empty() ? 0 : rows.size()) * line_h + extra + 6;
    float y = origin.y + size.y - h;
    dl->AddRectFilled(ImVec2(origin.x, y - 2), ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(18, 20, 26, 200));
    for (const auto& row : rows) {
      if (entries.empty()) break;
      float rx = origin.x + 8;
      for (size_t i : row) {
        swatch(dl, entries[i].second, ImVec2(rx + 8, y + 8));
        dl->AddText(ImVec2(rx + 20, y), IM_COL32_WHITE, entries[i].first.c_str());
        rx += 22 + ImGui::CalcTextSize(entries[i].first.c_str()).x + 14;
      }
      y += line_h;
    }
    if (class_row) {
      float rx = origin.x + 8;
      for (size_t c = 0; c < d.classes.size(); ++c) {
        if (rx - origin.x - 8 + class_w(c) > width && rx > origin.x + 8) {
          rx = origin.x + 8;
          y += line_h;
        }
        dl->AddRectFilled(ImVec2(rx, y + 4), ImVec2(rx + 8, y + 12), label_color(int(c), 255));
        dl->AddText(ImVec2(rx + 11, y), IM_COL32(220, 220, 220, 255), d.classes[c].c_str());
        rx += class_w(c);
      }
      y += line_h;
      legend.push_back("classes");
    }
    if (!colours.empty()) {
      dl->AddText(ImVec2(origin.x + 8, y), IM_COL32(200, 200, 200, 255), colours.c_str());
      legend.push_back(colours);
    }
  }
  dl->PopClipRect();
  if (pane.primary) v.legend = std::move(legend);
  v.pane_rects.insert(v.pane_rects.end(), {origin.x, origin.y, size.x, size.y});

  // Hover: the nearest point under the cursor.
  if (hovered && !ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    size_t best = d.base.n;
    float bd = 36.0f;  // within 6 px
    for (size_t i = 0; i < d.base.n; ++i) {
      const ImVec2 p = to_screen(d.base_xy[2 * i], d.base_xy[2 * i + 1]);
      const float dd = (p.x - io.MousePos.x) * (p.x - io.MousePos.x) + (p.y - io.MousePos.y) * (p.y - io.MousePos.y);
      if (dd < bd) {
        bd = dd;
        best = i;
      }
    }
    if (best < d.base.n && ImGui::BeginTooltip()) {
      ImGui::Text("base point %zu%s", best, labelled ? "" : "");
      if (labelled) ImGui::Text("%s", d.class_name(d.base.labels[best]).c_str());
      if (d.images()) image_thumbnail(d.image_view(), best, d.image_h, d.image_w, 84);
      else ImGui::Text("(%.3f, %.3f)", d.base_xy[2 * best], d.base_xy[2 * best + 1]);
      ImGui::EndTooltip();
    }
  }
}


void draw_map_panel(AppState& s) {
  MapView& v = s.map;
  if (!s.source.data) {
    ImGui::TextDisabled("Choose a data set.");
    return;
  }
  const LabData& d = *s.source.data;
  // Bucketed hashes in 2-D (LSH, E2LSH): a table slider, the query's bucket mates.
  const Structure* st = s.structure.get();
  const BucketLayer* buckets = st ? st->find<BucketLayer>() : nullptr;
  const CellLayer* cell_layer = st ? st->find<CellLayer>() : nullptr;
  const GraphLayer* graph = st ? st->find<GraphLayer>() : nullptr;
  const bool lsh2d = !d.images() && buckets && !buckets->keys.empty() &&
                     (st->find<HyperplaneLayer>() || st->find<SlabLayer>());
  if (ImGui::Button("Fit")) v.fitted_serial = 0;
  ImGui::SameLine();
  if (ImGui::Button("PNG")) v.capture_png = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save the map as a PNG image");
  ImGui::SameLine();
  if (ImGui::Button("Link")) ImGui::OpenPopup("link");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A link that reopens this view: data, index, parameters, query and map");
  if (ImGui::BeginPopup("link")) {
    auto view = s.current_view();
    if (view.is_ok()) {
      static std::string text;
      text = s.link_of(encode_view_link(view.value()));
      ImGui::TextUnformatted("This link rebuilds the index and shows the same query and answers:");
      ImGui::SetNextItemWidth(std::min(640.0f, ImGui::GetIO().DisplaySize.x * 0.6f));
      ImGui::InputText("##link", text.data(), text.size() + 1, ImGuiInputTextFlags_ReadOnly | ImGuiInputTextFlags_AutoSelectAll);
      if (ImGui::Button("Copy")) {
        ImGui::SetClipboardText(text.c_str());
        s.file_note = "link copied";
      }
    } else {
      ImGui::TextUnformatted(view.message().c_str());
    }
    ImGui::EndPopup();
  }
  if (d.base.d > 2) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(170);
    int kind = int(d.map_kind);
    const char* kinds[] = {"PCA", "neighbours (UMAP)"};
    if (ImGui::Combo("##mapkind", &kind, kinds, 2)) {
      if (Status st = s.set_map_kind(LabData::MapKind(kind)); !st.is_ok()) s.error = st.message();
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("PCA: the data's two main axes (a linear projection: classes overlap).\n"
                        "Neighbours (UMAP): a layout that keeps each point near its nearest neighbours\n"
                        "(k-NN graph by annlab's HNSW; seeded; the bundled sets ship theirs).");
  }
  if (s.layout_pending()) {
    ImGui::SameLine();
    ImGui::ProgressBar(float(s.layout_fraction), ImVec2(160, 0), s.layout_stage.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel##layout")) {
      s.cancel_layout();
      (void)s.set_map_kind(LabData::MapKind::Pca);
    }
  }
  ImGui::SameLine();
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("drag: pan  wheel: zoom  click: %s  R: random held-out query",
                      d.images() ? "query = nearest image" : "query here");
  ImGui::PopTextWrapPos();
  const bool cells = cell_layer && !cell_layer->assignment.empty();
  const int layers = graph ? graph->levels() : 0;
  v.pane_rects.clear();
  const bool structure_row = st && !st->layers.empty() && (lsh2d || !d.images() || cells);
  if (structure_row) {
    ImGui::Checkbox("structure", &v.planes);
    help_marker_inline("Draw the method's structure: hyperplanes (LSH), Voronoi cells (IVF), splits (k-d tree), "
                       "links of one layer (HNSW), codebooks (PQ).");
  }
  if (lsh2d) {
    const int tables = int(buckets->keys.size());
    v.table = std::clamp(v.table, 0, tables - 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("table", &v.table, 0, tables - 1);
  }
  std::string assigned_what;
  if (st && !structure_colours(*st, d.base.n, v.table, &assigned_what).empty()) {
    if (structure_row) ImGui::SameLine();
    bool& on = cells ? v.by_cell : v.by_structure;
    ImGui::Checkbox(cat("colour by ", assigned_what.substr(0, assigned_what.find(" in "))).c_str(), &on);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Colour each point by its %s instead of its class", assigned_what.c_str());
    const BucketLayer* bl = st->find<BucketLayer>();
    const TokenLayer* tl = st->find<TokenLayer>();
    const CodebookLayer* cl = st->find<CodebookLayer>();
    const int parts = !cells && bl ? int(bl->keys.size()) : tl ? int(tl->g) : cl && !cells ? int(cl->m) : 0;
    if (parts > 1 && !lsh2d && on) {
      v.table = std::clamp(v.table, 0, parts - 1);
      ImGui::SameLine();
      ImGui::SetNextItemWidth(120);
      ImGui::SliderInt(bl && !tl ? "table" : "sub-space", &v.table, 0, parts - 1);
    }
  }
  if (layers > 0 && !d.images()) {
    v.table = std::clamp(v.table, 0, layers - 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("layer", &v.table, 0, layers - 1);
  }
  draw_stepper_bar(s);
  if (const std::string note = s.stale_note(); !note.empty()) ImGui::TextColored(ImColor(kColMethod), "%s", note.c_str());
  else if (!s.index) ImGui::TextDisabled("no index built: the map shows the data only");
  // One pane per index side by side (the current one first), sharing one view.
  std::vector<MapPane> panes;
  panes.push_back({s.structure.get(), &s.inspector.results, s.index.get(), s.index ? s.index_title() : "", true});
  for (const AppState::Pinned& p : s.pinned)
    panes.push_back({p.structure.get(), &p.inspector.results, p.index.get(), p.title, false});
  if (panes.size() != v.fitted_panes) {  // a pane more or fewer: fit the data to the new pane size
    v.fitted_panes = panes.size();
    v.fitted_serial = 0;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.0f);
  size.y = std::max(size.y, 50.0f);
  const float gap = 4;
  const float w = (size.x - gap * float(panes.size() - 1)) / float(panes.size());
  for (size_t i = 0; i < panes.size(); ++i) {
    ImGui::PushID(int(i));
    draw_map_area(s, panes[i], ImVec2(origin.x + float(i) * (w + gap), origin.y), ImVec2(w, size.y));
    ImGui::PopID();
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + size.y));
}

}  // namespace annlab::app
