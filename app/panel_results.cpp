// Results: the exact top-k beside the method's, with distances; thumbnails for image data (the
// query, then each neighbour; misses outlined in red); recall@k, distances computed, microseconds.
#include <algorithm>
#include <cmath>

#include "draw_util.h"
#include "annlab/model.h"
#include "panels.h"

namespace annlab::app {

namespace {

// The evaluations on this data set side by side (SimHash64, ITQ64, NPHash64 ...): one row each.
void draw_history(const AppState& s) {
  const auto& h = s.evaluation.history();
  if (h.size() < 2) return;
  ImGui::TextDisabled("evaluated on this data set (latest last):");
  if (!ImGui::BeginTable("history", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp))
    return;
  for (const char* c : {"index", "recall", "1-recall", "time / query", "MB"}) ImGui::TableSetupColumn(c);
  ImGui::TableHeadersRow();
  for (const EvalReport& e : h) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s (%zu q, k %zu)", e.index.c_str(), e.nq, e.k);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", e.recall);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", e.one_recall);
    ImGui::TableNextColumn();
    // A learned method in the page: its queries were encoded by the model runtime, outside the time.
    ImGui::TextWrapped("%s%s", e.time.too_fast ? "too fast" : cat(int64_t(e.time.median_us + 0.5), " us").c_str(),
                       e.encoded_elsewhere ? " + encoding" : "");
    ImGui::TableNextColumn();
    ImGui::Text("%.2f", double(e.bytes) / 1e6);
  }
  ImGui::EndTable();
}

// Evaluate: the built index over many held-out queries, what `annlab bench --nq N` prints for it.
void draw_evaluation(AppState& s) {
  if (!s.index || !s.source.data) return;
  ImGui::BeginDisabled(s.evaluation.running() || s.job.running());
  if (ImGui::Button("Evaluate")) s.start_evaluation();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::InputInt("held-out queries", &s.eval_queries, 100, 1000);
  s.eval_queries = std::clamp(s.eval_queries, 1, int(s.source.data->queries.n));
  help_marker("Runs the built index, with the search parameters shown, on the first N held-out queries and "
                     "compares each answer with the exact one: the means are what `annlab bench --nq N` prints.");
  if (s.evaluation.running()) {
    if (ImGui::SmallButton("Cancel")) s.evaluation.cancel();
    ImGui::SameLine();
    ImGui::ProgressBar(float(s.evaluation.progress()), ImVec2(-1, 0), s.evaluation.stage().c_str());
    return;
  }
  const EvalReport* r = s.evaluation.report();
  if (!r) return;
  draw_history(s);
  ImGui::TextWrapped("%s over %zu held-out queries, k = %zu:", r->index.c_str(), r->nq, r->k);
  ImGui::TextWrapped("mean recall@%zu %.4f   1-recall %.4f   distance ratio %.4f", r->k, r->recall, r->one_recall,
                     r->distance_ratio);
  ImGui::Text("distances computed per query %.1f", r->distances_per_query);
  ImGui::TextWrapped("time per query %s", timing_text(r->time).c_str());
  if (!r->worst.empty()) {
    ImGui::TextDisabled("worst queries (recall@%zu; click to look at one):", r->k);
    bool first = true;
    for (const auto& [rec, q] : r->worst) {
      const std::string label = cat(q, " (", int(rec * 100 + 0.5), " %)");
      // Next to the last button when it fits, else on a new line (no button clipped).
      const float w = ImGui::CalcTextSize(label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
      if (!first) {
        ImGui::SameLine();
        if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
      }
      first = false;
      if (ImGui::SmallButton(label.c_str())) s.set_held_out_query(q);
    }
  }
  ImGui::Separator();
}

}  // namespace

// The learned router: layer 1's most probable cells (which hold the true neighbours, which IVF
// probes), layer 2's pick, and IVF on the same cells beside it.
void draw_router(const AppState& s, const Results& r) {
  const CellLayer* cl = s.structure ? s.structure->find<CellLayer>() : nullptr;
  if (r.cell_probs.empty() || !cl) return;
  ImGui::Separator();
  const size_t C = r.cell_probs.size();
  const size_t nprobe = r.ivf_cells.size();
  std::vector<size_t> order(C);
  for (size_t c = 0; c < C; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r.cell_probs[a] > r.cell_probs[b]; });
  std::vector<int> truths(C, 0);
  for (int64_t id : r.exact_ids)
    if (id >= 0 && size_t(id) < cl->assignment.size()) ++truths[size_t(cl->assignment[size_t(id)])];
  const int64_t nn_cell = !r.exact_ids.empty() && r.exact_ids[0] >= 0 ? cl->assignment[size_t(r.exact_ids[0])] : -1;
  ImGui::TextWrapped("layer 1: the cells most likely to hold the nearest neighbour");
  if (ImGui::BeginTable("router_cells", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("cell");
    ImGui::TableSetupColumn("probability");
    ImGui::TableSetupColumn("true nbrs");
    ImGui::TableSetupColumn("IVF probes");
    ImGui::TableHeadersRow();
    const size_t show = std::min<size_t>(C, std::max<size_t>(nprobe, 6));
    for (size_t i = 0; i < show; ++i) {
      const size_t c = order[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      // Probed cells (the first nprobe) in the query's colour; the nearest neighbour's cell marked.
      if (i < nprobe) ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.3f, 1), "%zu%s", c, int64_t(c) == nn_cell ? " *" : "");
      else ImGui::Text("%zu%s", c, int64_t(c) == nn_cell ? " *" : "");
      ImGui::TableNextColumn();
      ImGui::ProgressBar(r.cell_probs[c], ImVec2(-1, 0), cat(std::lround(1000 * r.cell_probs[c]) / 10.0, " %").c_str());
      ImGui::TableNextColumn();
      if (truths[c]) ImGui::TextColored(ImVec4(0.35f, 0.9f, 0.47f, 1), "%d", truths[c]);
      else ImGui::TextDisabled("0");
      ImGui::TableNextColumn();
      const auto at = std::find(r.ivf_cells.begin(), r.ivf_cells.end(), int64_t(c));
      if (at != r.ivf_cells.end()) ImGui::Text("#%lld", (long long)(at - r.ivf_cells.begin() + 1));
      else ImGui::TextDisabled("-");
    }
    ImGui::EndTable();
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("highlighted: the %zu probed (nprobe); *: holds the nearest neighbour", nprobe);
  ImGui::PopStyleColor();
  if (!r.layer2_picks.empty()) {
    const Trace::MemberPick& p = r.layer2_picks[0];
    const auto rank = std::find(r.exact_ids.begin(), r.exact_ids.end(), p.id);
    ImGui::TextWrapped("layer 2's pick in cell %lld: point %lld, probability %.3f%s", (long long)p.cell,
                       (long long)p.id, double(p.probability),
                       rank == r.exact_ids.end() ? cat(", not among the true ", r.k).c_str()
                                                 : cat(", true neighbour #", rank - r.exact_ids.begin() + 1).c_str());
  } else {
    ImGui::TextDisabled("layer 2: not used on these members (see the Index panel's message)");
  }
  ImGui::TextWrapped("IVF on the same cells (nearest centroid first, nprobe %zu): recall %.2f, %llu distances", nprobe,
                     r.ivf_recall, (unsigned long long)r.ivf_distances);
  ImGui::TextWrapped("the router: recall %.2f, %llu distances (its models counted as multiply-adds / d)", r.recall,
                     (unsigned long long)r.stats.distances);
}

// "Why was it missed?": one sentence per true neighbour the method did not return; a click
// highlights the point and where it was lost on the map.
void draw_misses(AppState& s, const Results& r) {
  if (r.method_ids.empty() || r.misses.empty()) return;
  ImGui::Separator();
  ImGui::Text("Why missed (%zu of %zu true neighbours):", r.misses.size(), r.exact_ids.size());
  for (size_t i = 0; i < r.misses.size(); ++i) {
    const MissReason& m = r.misses[i];
    ImGui::PushID(int(i));
    ImGui::PushTextWrapPos(0);
    const bool sel = s.focus_miss == int(i);
    if (ImGui::Selectable(cat("##miss", i).c_str(), sel, 0, ImVec2(0, ImGui::CalcTextSize(m.sentence.c_str(), nullptr, false,
                                                                                          ImGui::GetContentRegionAvail().x).y)))
      s.focus_miss = sel ? -1 : int(i);
    ImGui::SameLine(0, 0);
    ImGui::SetCursorPosX(ImGui::GetCursorStartPos().x);
    ImGui::TextWrapped("%s", m.sentence.c_str());
    ImGui::PopTextWrapPos();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Click: show it and where it was lost on the map");
    ImGui::PopID();
  }
}

// Side by side: the current index and the pinned ones, their answers and costs for this query.
void draw_side_by_side(AppState& s) {
  if (s.pinned.empty()) return;
  ImGui::Separator();
  ImGui::Text("Side by side (this query):");
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("side", 5, flags)) return;
  ImGui::TableSetupColumn("index", ImGuiTableColumnFlags_WidthStretch, 3);
  ImGui::TableSetupColumn("recall", ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableSetupColumn("distances", ImGuiTableColumnFlags_WidthStretch, 1.3f);
  ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthStretch, 1.5f);
  ImGui::TableSetupColumn("MB", ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableHeadersRow();
  auto row = [&](const std::string& title, const Index* index, const Results& r) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", title.c_str());
    ImGui::TableNextColumn();
    if (r.valid && index) ImGui::Text("%.2f", r.recall);
    ImGui::TableNextColumn();
    if (r.valid && index) ImGui::Text("%llu", (unsigned long long)r.stats.distances);
    ImGui::TableNextColumn();
    if (r.valid && index) ImGui::TextWrapped("%s", r.method_time.valid ? (r.method_time.too_fast ? "too fast" : cat(int64_t(r.method_time.median_us + 0.5), " us").c_str()) : "-");
    ImGui::TableNextColumn();
    if (index) ImGui::Text("%.2f", double(index->memory_bytes()) / 1e6);
  };
  row(s.index ? s.index_title() : "(not built)", s.index.get(), s.inspector.results);
  for (const AppState::Pinned& p : s.pinned) row(p.title, p.index.get(), p.inspector.results);
  ImGui::EndTable();
  ImGui::TextDisabled("time: median wall time of repeated searches of this query (as above)");
}

void draw_results_panel(AppState& s) {
  ImGui::SetNextItemWidth(120);
  if (ImGui::SliderInt("k", &s.inspector.k, 1, 50)) s.run_search();
  ImGui::SameLine();
  if (ImGui::Button("Random query (R)")) s.pick_random_query();
  draw_evaluation(s);
  if (!s.source.data || !s.inspector.query.set) {
    ImGui::TextDisabled("Pick a query: click the map or press R.");
    return;
  }
  const LabData& d = *s.source.data;
  const Results& r = s.inspector.results;
  ImGui::Text("Query: %s", s.inspector.query.source.c_str());
  if (d.images() && !s.inspector.query.image.empty())
    image_thumbnail(s.inspector.query.image.data(), d.image_h, d.image_w, 84, kColQuery);
  if (s.query_pending()) {
    ImGui::TextWrapped("%s...", s.query_stage.c_str());
    return;
  }
  if (!r.valid) return;
  if (ImGui::SmallButton("Export CSV")) {
    if (Status st = s.save_results_csv(); !st.is_ok()) s.error = st.message();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The table below as a CSV file (ids, squared distances, found / missed)");
  ImGui::Separator();
  const bool has_method = !r.method_ids.empty();
  if (has_method) {
    ImGui::Text("%s", s.index ? s.index->describe().c_str() : "");
    ImGui::Text("recall@%zu  %.2f", r.k, r.recall);
    ImGui::Text("distances computed  %llu of %zu (%.1f%%)", (unsigned long long)r.stats.distances, d.base.n,
                100.0 * double(r.stats.distances) / double(std::max<size_t>(d.base.n, 1)));
    if (r.stats.buckets)
      ImGui::Text("%s  %llu", r.shared_tokens.empty() ? "buckets opened" : "query terms (posting lists)",
                  (unsigned long long)r.stats.buckets);
    if (!r.shared_tokens.empty()) {
      ImGui::Text("candidates (share a term)  %llu", (unsigned long long)r.stats.candidates);
      // "sub-space-centroid", as the seed blog post writes its tokens; '-' marks a term not kept.
      std::string toks = "query terms:";
      for (size_t j = 0; j < r.query_tokens.size(); ++j)
        toks += r.query_tokens[j] < 0 ? cat(" (", j, "-)") : cat(" ", j, "-", r.query_tokens[j]);
      ImGui::TextWrapped("%s", toks.c_str());
    }
    if (r.filtered) ImGui::TextDisabled("exact answer filtered to label %d, like the method's", int(s.search_params().label.value_or(-1)));
    ImGui::TextWrapped("time  %s", timing_text(r.method_time).c_str());
    if (s.query_encode_ms > 0) {
      // The model ran in the page's runtime, outside the search timed above.
      ImGui::TextWrapped("+ the model on the query  %.2f ms (%s, median of repeats)", s.query_encode_ms,
                         annlab::model_runtime_name().c_str());
    }
    ImGui::TextWrapped("exact scan  %s", timing_text(r.exact_time).c_str());
  } else {
    ImGui::TextDisabled("Build an index to compare it with the exact answer.");
    ImGui::TextWrapped("exact scan  %s", timing_text(r.exact_time).c_str());
  }
  if (r.self_excluded >= 0)
    ImGui::TextWrapped("The query is base point %lld: it is left out of both answers (not its own neighbour).",
                       (long long)r.self_excluded);
  if (!r.pq_table.empty()) {
    // The query's lookup table: one row per sub-space, one column per centroid; dark = near.
    ImGui::Text("lookup table: %zu sub-spaces x 256 centroids", r.pq_m);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x, cw = w / 256.0f, ch = std::min(8.0f, 96.0f / float(r.pq_m));
    for (size_t m = 0; m < r.pq_m; ++m) {
      const float* row = r.pq_table.data() + m * 256;
      const float lo = *std::min_element(row, row + 256), hi = *std::max_element(row, row + 256);
      for (int c = 0; c < 256; ++c) {
        const float t = hi > lo ? (row[c] - lo) / (hi - lo) : 0.0f;
        const int v = int(255 * (1 - t));
        dl->AddRectFilled(ImVec2(p0.x + c * cw, p0.y + m * ch), ImVec2(p0.x + (c + 1) * cw, p0.y + (m + 1) * ch),
                          IM_COL32(v, int(v * 0.8f), 40, 255));
      }
    }
    ImGui::Dummy(ImVec2(w, ch * float(r.pq_m)));
  }
  if (!r.hamming_hist.empty()) {
    // The query's bits (one square each, lit = 1), then how many codes lie at each Hamming distance,
    // with the exact neighbours' distances marked: the further right they fall, the harder for codes.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImGui::Text("query code: %zu bits", r.code_bits);
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x, cell = std::max(2.0f, std::min(8.0f, w / 64.0f));
    const size_t per_row = size_t(w / cell);
    for (size_t b = 0; b < r.code_bits; ++b) {
      const float x = p0.x + float(b % per_row) * cell, y = p0.y + float(b / per_row) * cell;
      const bool on = (r.query_code[b / 64] >> (b % 64)) & 1;
      dl->AddRectFilled(ImVec2(x, y), ImVec2(x + cell - 1, y + cell - 1), on ? IM_COL32(250, 200, 80, 255) : IM_COL32(60, 60, 80, 255));
    }
    ImGui::Dummy(ImVec2(w, cell * float((r.code_bits + per_row - 1) / per_row)));
    ImGui::Text("Hamming distance of every code to the query (ticks: the exact neighbours)");
    p0 = ImGui::GetCursorScreenPos();
    const float h = 70;
    const float top = *std::max_element(r.hamming_hist.begin(), r.hamming_hist.end());
    const float bw = w / float(r.hamming_hist.size());
    for (size_t b = 0; b < r.hamming_hist.size(); ++b) {
      const float bh = top > 0 ? h * r.hamming_hist[b] / top : 0;
      dl->AddRectFilled(ImVec2(p0.x + float(b) * bw, p0.y + h - bh), ImVec2(p0.x + float(b + 1) * bw, p0.y + h),
                        IM_COL32(120, 140, 220, 255));
    }
    for (uint32_t t : r.hamming_true)
      dl->AddLine(ImVec2(p0.x + (float(t) + 0.5f) * bw, p0.y + h), ImVec2(p0.x + (float(t) + 0.5f) * bw, p0.y + h + 8),
                  IM_COL32(90, 230, 120, 255), 2.0f);
    ImGui::Dummy(ImVec2(w, h + 10));
  }
  draw_router(s, r);
  draw_misses(s, r);
  draw_side_by_side(s);
  ImGui::Separator();
  const float thumb = d.images() ? 42.0f : 0.0f;
  const double kth = r.exact_dist.empty() ? 0 : r.exact_dist.back();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY;
  if (ImGui::BeginTable("results", has_method ? 3 : 2, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
    ImGui::TableSetupColumn("exact");
    if (has_method) ImGui::TableSetupColumn("method");
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < r.k; ++i) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%zu", i + 1);
      ImGui::TableNextColumn();
      const int64_t e = r.exact_ids[i];
      if (thumb > 0 && e >= 0) image_thumbnail(d.image_view(), size_t(e), d.image_h, d.image_w, thumb);
      // A true neighbour the method did not return: "missed" (the map's mark for it too).
      const bool missed = has_method && e >= 0 && std::find(r.method_ids.begin(), r.method_ids.end(), e) == r.method_ids.end();
      if (missed) ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
      ImGui::Text("%lld  %.4g%s", (long long)e, std::sqrt(double(r.exact_dist[i])), missed ? "  missed" : "");
      if (missed) ImGui::PopStyleColor();
      if (!has_method) continue;
      ImGui::TableNextColumn();
      const int64_t m = r.method_ids[i];
      if (m < 0) {
        ImGui::TextDisabled("(none)");
        continue;
      }
      // A hit is as near as the k-th true neighbour (the tie rule recall uses).
      const bool hit = double(r.method_true[i]) <= kth * (1 + 1e-6) + 1e-6;
      if (thumb > 0) image_thumbnail(d.image_view(), size_t(m), d.image_h, d.image_w, thumb, hit ? 0 : kColMiss);
      ImGui::PushStyleColor(ImGuiCol_Text, hit ? kColHit : kColMiss);
      // An answer farther than the k-th true neighbour: "wrong" (not a true neighbour).
      ImGui::Text("%lld  %.4g%s", (long long)m, std::sqrt(double(r.method_true[i])), hit ? "" : "  wrong");
      ImGui::PopStyleColor();
      // What the method ranked by, when it is not the exact distance (r.method_kind names it).
      if (r.method_kind == DistanceKind::Score && size_t(m) < r.shared_tokens.size())
        ImGui::TextDisabled("score %.3g, %d of %zu tokens", double(r.method_dist[i]), int(r.shared_tokens[size_t(m)]),
                            r.query_tokens.size());
      else if (r.method_kind == DistanceKind::Score)
        ImGui::TextDisabled("score %.3g", double(r.method_dist[i]));
      else if (r.method_kind == DistanceKind::Hamming)
        ImGui::TextDisabled("Hamming %d", int(r.method_dist[i]));
      else if (r.method_kind == DistanceKind::EstimatedSquaredL2)
        ImGui::TextDisabled("estimated %.4g", std::sqrt(std::max(0.0, double(r.method_dist[i]))));
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("distances are exact L2 (square root of the squared distance), whatever the method ranked by%s%s",
                      has_method && r.method_kind != DistanceKind::SquaredL2 ? "; it ranked by " : "",
                      has_method && r.method_kind != DistanceKind::SquaredL2 ? distance_kind_name(r.method_kind) : "");
}

}  // namespace annlab::app
