#include <algorithm>

#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

void draw_index_panel(AppState& s) {
  int m = int(s.config.method);
  const char* methods[] = {method_name(Method::Flat), method_name(Method::LSH)};
  ImGui::SetNextItemWidth(-1);
  ImGui::Combo("##method", &m, methods, 2);
  s.config.method = Method(m);
  if (s.config.method == Method::Flat) {
    ImGui::TextWrapped("Compares the query with every vector: exact, and the slowest. The ground truth for every recall figure.");
  } else {
    ImGui::TextWrapped("L tables; in each, b random hyperplanes give every vector a b-bit bucket key. "
                       "Candidates are the union of the query's buckets, re-ranked exactly.");
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    ImGui::SliderInt("tables L", &s.config.tables, 1, 64);
    help_marker("More tables: more chances that a true neighbour shares a bucket with the query. Higher recall, "
                "more candidates to re-rank, more memory (one key per vector per table).");
    ImGui::Checkbox("b from bucket size", &s.config.auto_bits);
    help_marker("The seed notebook's rule: b = floor(log2(n / bucket size)), so buckets hold about that many vectors.");
    if (s.config.auto_bits) {
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
      ImGui::SliderInt("bucket size", &s.config.bucket_size, 1, 1000, "%d", ImGuiSliderFlags_Logarithmic);
    } else {
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
      ImGui::SliderInt("bits b", &s.config.bits, 1, 24);
      help_marker("More bits: smaller buckets, fewer candidates, faster, but a true neighbour falls on the other "
                  "side of some hyperplane more often: lower recall per table.");
    }
    int seed = int(s.config.seed);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    if (ImGui::InputInt("seed", &seed)) s.config.seed = uint64_t(std::max(0, seed));
    help_marker("Which random hyperplanes. The same seed gives the same index on the desktop and in the browser.");
  }
  ImGui::TextDisabled("%s %s", s.config.spec().c_str(), s.config.params().c_str());
  const bool running = s.job.running();
  ImGui::BeginDisabled(running || !s.data);
  if (ImGui::Button("Build", ImVec2(120, 0))) s.start_build();
  ImGui::EndDisabled();
  if (running) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) s.job.cancel();
    ImGui::ProgressBar(float(s.job.progress()), ImVec2(-1, 0), s.job.stage().c_str());
  }
  ImGui::Separator();
  if (s.index) ImGui::TextWrapped("%s", s.index_info.c_str());
  else ImGui::TextDisabled("No index yet: press Build.");
  if (!s.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
    ImGui::TextWrapped("%s", s.error.c_str());
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("dismiss")) s.error.clear();
  }
}

}  // namespace annlab::app
