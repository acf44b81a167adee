// Results: the exact top-k beside the method's, with distances; thumbnails for image data (the
// query, then each neighbour; misses outlined in red); recall@k, distances computed, microseconds.
#include <algorithm>
#include <cmath>

#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

void draw_results_panel(AppState& s) {
  ImGui::SetNextItemWidth(120);
  if (ImGui::SliderInt("k", &s.k, 1, 50)) s.run_search();
  ImGui::SameLine();
  if (ImGui::Button("Random query (R)")) s.pick_random_query();
  if (!s.data || !s.query.set) {
    ImGui::TextDisabled("Pick a query: click the map or press R.");
    return;
  }
  const LabData& d = *s.data;
  const Results& r = s.results;
  ImGui::Text("Query: %s", s.query.source.c_str());
  if (d.images()) image_thumbnail(s.query.vec.data(), d.base.image_h, d.base.image_w, 84, kColQuery);
  if (!r.valid) return;
  ImGui::Separator();
  const bool has_method = !r.method_ids.empty();
  if (has_method) {
    ImGui::Text("%s", s.index ? s.index->describe().c_str() : "");
    ImGui::Text("recall@%zu  %.2f", r.k, r.recall);
    ImGui::Text("distances computed  %llu of %zu (%.1f%%)", (unsigned long long)r.stats.distances, d.base.n,
                100.0 * double(r.stats.distances) / double(std::max<size_t>(d.base.n, 1)));
    if (r.stats.buckets) ImGui::Text("buckets opened  %llu", (unsigned long long)r.stats.buckets);
    ImGui::Text("time  %.0f us (exact scan %.0f us)", r.method_us, r.exact_us);
  } else {
    ImGui::TextDisabled("Build an index to compare it with the exact answer.");
    ImGui::Text("exact scan  %.0f us", r.exact_us);
  }
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
      if (thumb > 0 && e >= 0) image_thumbnail(d.base_view(), size_t(e), d.base.image_h, d.base.image_w, thumb);
      ImGui::Text("%lld  %.4g", (long long)e, std::sqrt(double(r.exact_dist[i])));
      if (!has_method) continue;
      ImGui::TableNextColumn();
      const int64_t m = r.method_ids[i];
      if (m < 0) {
        ImGui::TextDisabled("(none)");
        continue;
      }
      // A hit is as near as the k-th true neighbour (the tie rule recall uses).
      const bool hit = double(r.method_dist[i]) <= kth * (1 + 1e-6) + 1e-6;
      if (thumb > 0) image_thumbnail(d.base_view(), size_t(m), d.base.image_h, d.base.image_w, thumb, hit ? 0 : kColMiss);
      ImGui::PushStyleColor(ImGuiCol_Text, hit ? kColHit : kColMiss);
      ImGui::Text("%lld  %.4g%s", (long long)m, std::sqrt(double(r.method_dist[i])), hit ? "" : "  miss");
      ImGui::PopStyleColor();
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("distances are L2 (square root of the squared distance)");
}

}  // namespace annlab::app
