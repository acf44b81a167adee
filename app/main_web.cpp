// The browser lab: SDL2 (built for WebAssembly) + WebGL2, one emscripten main loop. The page's
// loader (web/lab.js) downloads the assets into /assets, then calls start(); the JS API
// (wasm/bindings.cpp) drives the same AppState the panels draw.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl2.h"
#include "model_bridge.h"
#include "platform.h"
#include "web_lab.h"

namespace annlab::app {

WebLab& web_lab() {
  static WebLab lab;
  return lab;
}

namespace {

void fit_canvas(SDL_Window* window) {
  const int w = EM_ASM_INT({ return window.innerWidth; });
  const int h = EM_ASM_INT({ return window.innerHeight; });
  int cw, ch;
  SDL_GetWindowSize(window, &cw, &ch);
  if (w > 0 && h > 0 && (w != cw || h != ch)) SDL_SetWindowSize(window, w, h);
}

// Keeps the page's address the link of what is on screen (history.replaceState, so the back button
// is not filled with every pan), except while a link is still being opened.
void update_address(AppState& s) {
  static std::string last;
  if (s.view_pending()) return;
  auto v = s.current_view();
  const std::string q = v.is_ok() ? encode_view_link(v.value()) : std::string();
  if (q == last) return;
  last = q;
  EM_ASM({
    const q = UTF8ToString($0);
    history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
  }, q.c_str());
}

void loop(void* arg) {
  WebLab& lab = *static_cast<WebLab*>(arg);
  fit_canvas(lab.window);
  run_frame(lab.window, lab.state);
  update_address(lab.state);
}

}  // namespace

bool web_asset_ready(const std::string& file) {
  // Present in the in-memory file system, or ask the page to fetch it (lab.js: annlabFetchAsset).
  return EM_ASM_INT({
    const name = UTF8ToString($0);
    try { FS.stat('/assets/' + name); return 1; } catch (e) {}
    if (Module.annlabFetchAsset) Module.annlabFetchAsset(name);
    return 0;
  }, file.c_str()) != 0;
}

int start_web_lab(const std::string& dataset, const std::string& space) {
  WebLab& lab = web_lab();
  if (lab.window) return 0;
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    std::printf("annlab: SDL_Init failed: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  const int w = EM_ASM_INT({ return window.innerWidth; }), h = EM_ASM_INT({ return window.innerHeight; });
  lab.window = SDL_CreateWindow("annlab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                                SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  if (!lab.window) {
    std::printf("annlab: cannot create the canvas window: %s\n", SDL_GetError());
    return 1;
  }
  lab.gl = SDL_GL_CreateContext(lab.window);
  if (!lab.gl) {
    std::printf("annlab: no WebGL2 context: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GL_MakeCurrent(lab.window, lab.gl);
  const float dpr = float(emscripten_get_device_pixel_ratio());
  init_imgui(dpr, "/fonts/DejaVuSans.ttf");
  ImGui_ImplSDL2_InitForOpenGL(lab.window, lab.gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  lab.state.source.assets_dir = "/assets/";
  // Learned methods: ONNX Runtime Web in the page (web/model-service.js). Models are named
  // "models/..." as natively (the page links its working folder's models/ to /models).
  annlab::web::install_model_bridge();
  lab.state.source.asset_ready = web_asset_ready;
  // A saved file is a download (lab.js: annlabDownload, which tests can watch).
  lab.state.save_file = [](const std::string& name, const std::vector<uint8_t>& bytes) {
    EM_ASM({ Module.annlabDownload(UTF8ToString($0), HEAPU8.slice($1, $1 + $2)); }, name.c_str(), bytes.data(), bytes.size());
    return annlab::Status::ok();
  };
  lab.state.link_of = [](const std::string& q) {
    return std::string(emscripten_run_script_string("location.origin + location.pathname")) + "?" + q;
  };
  lab.state.source.space = space;
  lab.state.layout_cap = AppState::kWebLayoutCap;  // the page computes a layout on one thread, between frames
  lab.state.load_data(dataset == "mnist" ? DataKind::Mnist : dataset == "blobs" ? DataKind::Blobs2D : DataKind::FashionMnist);
  emscripten_set_main_loop_arg(loop, &lab, 0, false);
  return 0;
}

}  // namespace annlab::app

int main() { return 0; }  // the page calls start() once the assets are in place
