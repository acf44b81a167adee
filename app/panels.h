// app/panels.h — one draw function per panel (each in its own file) and the frame that lays them out.
#pragma once

#include "app_state.h"
#include "imgui.h"

namespace annlab::app {

// Draws one whole frame of the lab (between ImGui::NewFrame and ImGui::Render): steps a running
// build within a time budget, handles the keys, lays out and draws the panels.
void draw_lab(AppState& s);

void draw_data_panel(AppState& s);
void draw_index_panel(AppState& s);
void draw_map_panel(AppState& s);
void draw_results_panel(AppState& s);
// The drawing pad's window, its top-right corner at `top_right` (shown while s.show_pad, on images).
void draw_pad_window(AppState& s, ImVec2 top_right);

}  // namespace annlab::app
