#include "draw_util.h"

#include <algorithm>
#include <vector>

namespace annlab::app {

ImU32 label_color(int label, int alpha) {
  static const ImU32 kPalette[10] = {
      IM_COL32(76, 114, 176, 0),  IM_COL32(221, 132, 82, 0), IM_COL32(85, 168, 104, 0), IM_COL32(196, 78, 82, 0),
      IM_COL32(129, 114, 179, 0), IM_COL32(147, 120, 96, 0), IM_COL32(218, 139, 195, 0), IM_COL32(140, 140, 140, 0),
      IM_COL32(204, 185, 116, 0), IM_COL32(100, 181, 205, 0)};
  const int i = ((label % 10) + 10) % 10;
  return kPalette[i] | (ImU32(alpha) << IM_COL32_A_SHIFT);
}

void image_thumbnail(const float* px, uint32_t h, uint32_t w, float size, ImU32 border) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float cell = size / float(std::max(h, w));
  dl->AddRectFilled(p, ImVec2(p.x + cell * w, p.y + cell * h), IM_COL32(0, 0, 0, 255));
  for (uint32_t r = 0; r < h; ++r)
    for (uint32_t c = 0; c < w; ++c) {
      const int v = int(std::clamp(px[r * w + c], 0.0f, 255.0f));
      if (v < 8) continue;
      const ImVec2 a(p.x + c * cell, p.y + r * cell);
      dl->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), IM_COL32(v, v, v, 255));
    }
  if (border) dl->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(p.x + cell * w + 1, p.y + cell * h + 1), border, 0, 0, 2.0f);
  ImGui::Dummy(ImVec2(cell * w, cell * h));
}

void image_thumbnail(const VectorView& v, size_t i, uint32_t h, uint32_t w, float size, ImU32 border) {
  std::vector<float> row(v.d);
  v.row_to_f32(i, row.data());
  image_thumbnail(row.data(), h, w, size, border);
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::BeginItemTooltip()) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

}  // namespace annlab::app
