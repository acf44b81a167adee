#include <algorithm>
#include <cstdio>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl2.h"
#include "panels.h"
#include "platform.h"
#if defined(__EMSCRIPTEN__)
#include <GLES3/gl3.h>
#else
#include <SDL_opengl.h>
#endif

namespace annlab::app {

void init_imgui(float dpr, const char* font_path) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 0;
  st.FrameRounding = 3;
  st.WindowBorderSize = 1;
  st.Colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.0f);
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  if (FILE* f = std::fopen(font_path, "rb")) {
    std::fclose(f);
    io.Fonts->AddFontFromFileTTF(font_path, 15.0f * dpr, &cfg);
  } else {
    io.Fonts->AddFontDefault();
  }
  io.FontGlobalScale = 1.0f / dpr;
}

bool run_frame(SDL_Window* window, AppState& state) {
  bool open = true;
  SDL_Event e;
  while (SDL_PollEvent(&e)) {
    ImGui_ImplSDL2_ProcessEvent(&e);
    if (e.type == SDL_QUIT) open = false;
    if (e.type == SDL_DROPFILE && e.drop.file) {  // a file dropped on the desktop window
      (void)state.drop_file(e.drop.file);  // an error is shown in the Data or Index panel
      SDL_free(e.drop.file);
    }
    if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE &&
        e.window.windowID == SDL_GetWindowID(window))
      open = false;
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  draw_lab(state);
  ImGui::Render();
  const ImGuiIO& io = ImGui::GetIO();
  glViewport(0, 0, int(io.DisplaySize.x * io.DisplayFramebufferScale.x), int(io.DisplaySize.y * io.DisplayFramebufferScale.y));
  glClearColor(0.07f, 0.08f, 0.10f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (state.map.capture_png) {  // the map area, read back before the frame is shown
    state.map.capture_png = false;
    const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
    const int fb_h = int(io.DisplaySize.y * sy);
    const int x = int(state.map.left * sx), w = int(state.map.width * sx), h = int(state.map.height * sy);
    const int y = fb_h - int((state.map.top + state.map.height) * sy);
    std::vector<uint8_t> px(size_t(std::max(w, 0)) * size_t(std::max(h, 0)) * 4), rows(px.size());
    if (w > 0 && h > 0) {
      glPixelStorei(GL_PACK_ALIGNMENT, 1);
      glReadPixels(x, y, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
      for (int r = 0; r < h; ++r)  // GL's rows start at the bottom
        std::copy(px.begin() + long(size_t(h - 1 - r) * size_t(w) * 4), px.begin() + long(size_t(h - r) * size_t(w) * 4),
                  rows.begin() + long(size_t(r) * size_t(w) * 4));
      for (size_t i = 3; i < rows.size(); i += 4) rows[i] = 255;  // opaque, whatever the canvas's alpha
    }
    if (annlab::Status st = state.save_map_png(w, h, rows); !st.is_ok()) state.error = st.message();
  }
  SDL_GL_SwapWindow(window);
  return open;
}

}  // namespace annlab::app
