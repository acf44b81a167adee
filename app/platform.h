// app/platform.h — what the desktop and the web main loops share: fonts and style, and one frame.
#pragma once

#include <SDL.h>

#include "app_state.h"

namespace annlab::app {

// Creates the ImGui context, style and the DejaVu Sans font at `dpr` x its size (text stays sharp
// on high-DPI screens); `font_path` falls back to ImGui's built-in font when it cannot be read.
void init_imgui(float dpr, const char* font_path);
// Handles SDL events (false when the window was closed), draws one frame and presents it.
bool run_frame(SDL_Window* window, AppState& state);

}  // namespace annlab::app
