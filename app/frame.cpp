#include <algorithm>
#include <chrono>

#include "annlab/distance.h"
#include "imgui.h"
#include "panels.h"

namespace annlab::app {

void draw_lab(AppState& s) {
  ++s.frame;
  s.poll_pending_load();
  // Long work (a build, an evaluation, a layout) runs in steps between frames. Each gets four times
  // what drawing the last frame cost, at least 10 ms and at most 250 ms: about 80% of the wall time
  // goes to the work whether a frame costs 2 ms (a GPU) or 60 ms (software rendering, the headless
  // browser), and the UI still redraws at least 3 times a second (measured in headless Chromium
  // during an IVF1024 build: 254-308 ms a frame).
  ImGuiIO& io = ImGui::GetIO();
  const double draw_ms = std::max(0.0, 1000.0 * double(io.DeltaTime) - s.last_work_ms);
  const double budget = std::clamp(4.0 * draw_ms, 10.0, 250.0);
  const auto w0 = std::chrono::steady_clock::now();
  s.step_build(budget);
  s.step_query();  // a query being encoded by the page's model runtime
  s.step_pad();    // a drawing becoming the query
  s.step_evaluation(budget);
  s.step_layout(budget);
  s.last_work_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
  s.step_stepper(double(io.DeltaTime));
  if (!io.WantTextInput && ImGui::IsKeyPressed(ImGuiKey_R, false)) s.pick_random_query();

  s.advance_view();  // a link being opened: its data set, then its build, then its query
  s.layout.method_list_open = false;

  // Four panels refitted to the window every frame: Data (as tall as its content), Index below
  // it, the map in the middle, Results on the right. Usable from 1,024 x 768 up.
  const ImVec2 size = io.DisplaySize;
  const float left = std::max(270.0f, size.x * 0.22f), right = std::max(330.0f, size.x * 0.28f);
  // The panels never come to the front when clicked (they do not overlap): the Draw window stays above the map.
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSizeConstraints(ImVec2(left, 0), ImVec2(left, size.y * 0.5f));
  float data_h = size.y * 0.36f;
  if (ImGui::Begin("Data", nullptr, fixed | ImGuiWindowFlags_AlwaysAutoResize)) draw_data_panel(s);
  data_h = ImGui::GetWindowHeight();
  s.layout.data_hidden = ImGui::GetScrollMaxY();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, data_h));
  ImGui::SetNextWindowSize(ImVec2(left, size.y - data_h));
  if (ImGui::Begin("Index", nullptr, fixed)) draw_index_panel(s);
  s.layout.index_hidden = ImGui::GetScrollMaxY();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(left, 0));
  ImGui::SetNextWindowSize(ImVec2(size.x - left - right, size.y));
  if (ImGui::Begin("Map", nullptr, fixed | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse))
    draw_map_panel(s);
  s.layout.map_hidden = ImGui::GetScrollMaxY();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(size.x - right, 0));
  ImGui::SetNextWindowSize(ImVec2(right, size.y));
  if (ImGui::Begin("Results", nullptr, fixed)) draw_results_panel(s);
  s.layout.results_hidden = ImGui::GetScrollMaxY();
  ImGui::End();
  // The pad over the map's top-right corner, below its toolbar, clear of the legend; the results
  // stay in view while drawing.
  draw_pad_window(s, ImVec2(size.x - right - 8, ImGui::GetFrameHeight() * 4));
  s.step_pad();  // a picture changed by this frame's strokes starts its search now, not a frame later
}

}  // namespace annlab::app
