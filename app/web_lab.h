// app/web_lab.h — the browser lab's one instance, shared by its main loop and the JS API.
#pragma once

#include <SDL.h>

#include <string>

#include "app_state.h"

namespace annlab::app {

struct WebLab {
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  AppState state;
};

WebLab& web_lab();
// Creates the canvas window and GL context, loads `dataset` in `space` ("default", "raw", "cnn64", ...)
// and starts the frame loop.
int start_web_lab(const std::string& dataset, const std::string& space);

}  // namespace annlab::app
