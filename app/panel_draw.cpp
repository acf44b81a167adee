// The Draw window: the drawing pad (draw_pad.h) and what became of the drawing (app_state.h).
#include <algorithm>

#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

void draw_pad_window(AppState& s, ImVec2 top_right) {
  const ImVec2 pos = top_right;
  if (!s.show_pad || !s.data() || !s.data()->images()) return;
  // A fixed size, so the pad never moves under the pen as the text below it changes.
  const float cell = std::max(6.0f, ImGui::GetFontSize() * 0.5f);
  const float side = cell * DrawPad::kSide;
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 size(side + ImGui::GetFontSize() * 8 + style.WindowPadding.x * 2,
                    ImGui::GetFrameHeight() + side + ImGui::GetTextLineHeightWithSpacing() * 9 + style.WindowPadding.y * 2);
  // Where it opens; its title bar moves it off whatever part of the map it covers.
  ImGui::SetNextWindowPos(ImVec2(pos.x - size.x, pos.y), ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (!ImGui::Begin("Draw a query", &s.show_pad,
                    ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                        ImGuiWindowFlags_NoScrollbar)) {
    ImGui::End();
    return;
  }
  DrawPad& pad = s.pad;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(side, side));
  const ImGuiIO& io = ImGui::GetIO();
  const float x = (io.MousePos.x - p.x) / cell, y = (io.MousePos.y - p.y) / cell;
  if (ImGui::IsItemActivated()) pad.begin_stroke(x, y);
  else if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) pad.stroke_to(x, y);
  if (ImGui::IsItemDeactivated()) pad.end_stroke();
  s.layout.pad_x = p.x;
  s.layout.pad_y = p.y;
  s.layout.pad_cell = cell;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + side, p.y + side), IM_COL32(0, 0, 0, 255));
  const std::vector<float>& px = pad.pixels();
  for (int r = 0; r < DrawPad::kSide; ++r)
    for (int c = 0; c < DrawPad::kSide; ++c) {
      const int v = int(px[size_t(r) * DrawPad::kSide + size_t(c)]);
      if (v == 0) continue;
      const ImVec2 a(p.x + float(c) * cell, p.y + float(r) * cell);
      dl->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), IM_COL32(v, v, v, 255));
    }
  dl->AddRect(p, ImVec2(p.x + side, p.y + side), IM_COL32(120, 120, 120, 255));
  if (ImGui::IsItemHovered()) {  // where the brush lands
    dl->AddCircle(io.MousePos, pad.radius * cell, pad.eraser ? kColMiss : IM_COL32(255, 255, 255, 160), 24, 1.5f);
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  int tool = pad.eraser ? 1 : 0;
  if (ImGui::RadioButton("brush", &tool, 0)) pad.eraser = false;
  if (ImGui::RadioButton("eraser", &tool, 1)) pad.eraser = true;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::SliderFloat("size", &pad.radius, 0.5f, 4.0f, "%.1f", ImGuiSliderFlags_AlwaysClamp);
  ImGui::BeginDisabled(!pad.can_undo());
  if (ImGui::Button("Undo") || (pad.can_undo() && !io.WantTextInput && io.KeyCtrl && ImGui::IsKeyPressed(ImGuiKey_Z)))
    pad.undo();
  ImGui::EndDisabled();
  if (ImGui::Button("Clear")) pad.clear();
  ImGui::BeginDisabled(s.inspector.query.image.size() != pad.pixels().size() || s.inspector.query.source == AppState::kDrawingQuery);
  if (ImGui::Button("Copy query")) pad.set_image(s.inspector.query.image.data());
  ImGui::EndDisabled();
  help_marker("Puts the current query's image on the pad, to change it by hand.");
  ImGui::EndGroup();
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s images are filled, centred silhouettes that fill the square: draw a solid shape, not an "
                      "outline (outlines are outside what the model learned).",
                      s.data()->name.c_str());
  if (!s.pad_status.empty()) {
    const bool bad = s.pad_searched == pad.serial() && s.inspector.query.source != AppState::kDrawingQuery && !pad.empty();
    if (bad) ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
    ImGui::TextWrapped("%s", s.pad_status.c_str());
    if (bad) ImGui::PopStyleColor();
  }
  if (s.inspector.query.source == AppState::kDrawingQuery && s.pad_latency_ms > 0) {
    if (s.pad_embed_ms > 0)
      ImGui::Text("model %.1f ms; results %.0f ms after the picture changed", s.pad_embed_ms, s.pad_latency_ms);
    else
      ImGui::Text("results %.0f ms after the picture changed", s.pad_latency_ms);
  }
  ImGui::PopTextWrapPos();
  ImGui::End();
}

}  // namespace annlab::app
