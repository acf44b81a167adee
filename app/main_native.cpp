// The desktop lab: SDL2 + OpenGL 3.
//   annlab-lab [--assets DIR] [--data blobs|fashion|mnist] [--build SPEC] [--query I] [--evaluate N]
//              [--view LINK] [--out DIR] [--frames N] [--space raw|cnn64|pca64] [--map pca|umap] [--draw]
//              [--pin SPEC]... [--step N] [--miss I]
// --space: the space an image set opens in (default: the manifest's, CNN-64 for Fashion-MNIST);
// --draw opens the drawing pad (with --query I: that query's image on it);
// --view opens a link (the Map panel's Link button: "v=1&data=...", or a whole page address);
// --out is where Download index, Export CSV and PNG write (default: the current directory);
// --frames N quits after N frames (for tests and screenshots).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl2.h"
#include "platform.h"

using namespace annlab::app;

int main(int argc, char** argv) {
  std::string assets = "assets/data/", data = "fashion", space = "default", build, view, out = ".";
  std::string map_kind = "pca";
  std::vector<std::string> pins;  // --pin SPEC (repeatable): built and pinned side by side before --build
  long step_to = -1, miss = -1;   // --step N: the stepper at event N; --miss I: the I-th "why missed" shown
  bool draw = false;
  long frames = -1, query = -1, evaluate = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "annlab-lab: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--assets") assets = next() + "/";
    else if (a == "--data") data = next();
    else if (a == "--space") space = next();
    else if (a == "--map") map_kind = next();
    else if (a == "--pin") pins.push_back(next());
    else if (a == "--step") step_to = std::atol(next().c_str());
    else if (a == "--miss") miss = std::atol(next().c_str());
    else if (a == "--draw") draw = true;
    else if (a == "--build") build = next();
    else if (a == "--query") query = std::atol(next().c_str());
    else if (a == "--frames") frames = std::atol(next().c_str());
    else if (a == "--evaluate") evaluate = std::atol(next().c_str());
    else if (a == "--view") view = next();
    else if (a == "--out") out = next();
    else {
      std::fprintf(stderr, "usage: annlab-lab [--assets DIR] [--data blobs|fashion|mnist] [--build SPEC] [--query I] "
                           "[--evaluate N] [--view LINK] [--out DIR] [--frames N]\n"
                           "       [--space raw|cnn64|pca64] [--map pca|umap] [--draw] [--pin SPEC]... [--step N] [--miss I]\n");
      return 2;
    }
  }
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    std::fprintf(stderr, "annlab-lab: SDL_Init failed: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_Window* window = SDL_CreateWindow("annlab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1440, 860,
                                        SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  if (!window) {
    std::fprintf(stderr, "annlab-lab: cannot open a window: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GLContext gl = SDL_GL_CreateContext(window);
  SDL_GL_MakeCurrent(window, gl);
  SDL_GL_SetSwapInterval(1);
  int ww, wh, dw, dh;
  SDL_GetWindowSize(window, &ww, &wh);
  SDL_GL_GetDrawableSize(window, &dw, &dh);
  const float dpr = ww > 0 ? float(dw) / float(ww) : 1.0f;
  init_imgui(dpr, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
  ImGui_ImplSDL2_InitForOpenGL(window, gl);
  ImGui_ImplOpenGL3_Init("#version 130");

  AppState state;
  state.source.assets_dir = assets;
  state.out_dir = out;
  state.source.space = space;
  if (map_kind != "pca" && map_kind != "umap") {
    std::fprintf(stderr, "annlab-lab: --map %s: expected pca or umap\n", map_kind.c_str());
    return 2;
  }
  state.source.map_kind = map_kind == "umap" ? LabData::MapKind::Layout : LabData::MapKind::Pca;
  state.show_pad = draw;
  if (!view.empty()) {
    if (const size_t q = view.find('?'); q != std::string::npos) view = view.substr(q + 1);  // a page address
    if (annlab::Status st = state.open_view(view); !st.is_ok()) {
      std::fprintf(stderr, "annlab-lab: %s\n", st.message().c_str());
      state.error = st.message();
    }
  }
  if (!state.data() && !state.view_pending()) state.load_data(data == "blobs" ? DataKind::Blobs2D : data == "mnist" ? DataKind::Mnist : DataKind::FashionMnist);
  for (const std::string& pin : pins) {
    if (!state.source.data) break;
    auto spec = annlab::parse_index_spec(pin);
    const bool seeded = spec.is_ok() && spec->method->build_param("seed");
    annlab::Status st = state.build_spec(pin, seeded ? "seed=1" : "");
    if (st.is_ok()) st = state.pin_index();
    if (!st.is_ok()) state.error = st.message();
  }
  if (!build.empty() && state.source.data) {
    auto spec = annlab::parse_index_spec(build);
    const bool seeded = spec.is_ok() && spec->method->build_param("seed");
    if (annlab::Status st = state.build_spec(build, seeded ? "seed=1" : ""); !st.is_ok()) state.error = st.message();
    // --evaluate N: press Evaluate over N held-out queries once the index is built (screenshots).
    if (evaluate > 0 && state.index) {
      state.eval_queries = int(evaluate);
      state.start_evaluation();
    }
  }
  for (long f = 0; frames < 0 || f < frames; ++f) {
    if (query >= 0 && (state.index || build.empty()) && state.data() && !state.inspector.query.set) {
      state.set_held_out_query(size_t(query));
      // --draw with --query: the query's image on the pad, as Copy query does (screenshots).
      if (draw && state.inspector.query.image.size() == state.pad.pixels().size())
        state.pad.set_image(state.inspector.query.image.data());
    }
    if (step_to >= 0 && state.inspector.results.valid && state.inspector.results.trace && !state.stepper.active) {
      state.stepper_seek(size_t(step_to));
      step_to = -1;
    }
    if (miss >= 0 && state.inspector.results.valid && size_t(miss) < state.inspector.results.misses.size()) {
      state.focus_miss = int(miss);
      miss = -1;
    }
    if (!run_frame(window, state)) break;
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_GL_DeleteContext(gl);
  SDL_DestroyWindow(window);
  SDL_Quit();
  return 0;
}
