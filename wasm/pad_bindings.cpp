// wasm/pad_bindings.cpp — the drawing pad in the JavaScript API (docs/js-api.md): show it, read
// what became of the drawing, and put a picture or a stroke on it through the pad's own input path.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "web_lab.h"

using emscripten::val;
using namespace annlab::app;

namespace {

AppState& state() { return web_lab().state; }

val pad_state() {
  AppState& s = state();
  val r = val::object();
  r.set("ok", true);
  r.set("shown", s.show_pad);
  r.set("serial", double(s.pad.serial()));
  r.set("searched", double(s.pad_searched));
  r.set("drawing", s.pad.drawing());
  r.set("empty", s.pad.empty());
  r.set("status", s.pad_status);
  r.set("embedMs", s.pad_embed_ms);
  r.set("latencyMs", s.pad_latency_ms);
  r.set("isQuery", s.inspector.query.source == AppState::kDrawingQuery);
  r.set("x", s.layout.pad_x);
  r.set("y", s.layout.pad_y);
  r.set("cell", s.layout.pad_cell);
  val px = val::array();
  for (size_t i = 0; i < s.pad.pixels().size(); ++i) px.set(i, s.pad.pixels()[i]);
  r.set("pixels", px);
  return r;
}

val show_pad(bool on) {
  state().show_pad = on;
  return pad_state();
}

// An image of 28 x 28 pixels 0..255 on the pad (undoable), as a person's drawing would be.
val pad_set_image(val pixels) {
  std::vector<float> v = emscripten::convertJSArrayToNumberVector<float>(pixels);
  if (v.size() != size_t(DrawPad::kSide * DrawPad::kSide)) {
    val r = val::object();
    r.set("ok", false);
    r.set("error", annlab::cat("the pad takes ", DrawPad::kSide * DrawPad::kSide, " pixels, got ", v.size()));
    return r;
  }
  state().pad.set_image(v.data());
  state().step_pad();  // searched now, as a stroke's picture is in its frame
  return pad_state();
}

// A model run ended between frames: the drawing pad takes its answer now (web/lab.js).
void pad_step() { state().step_pad(); }

val pad_clear() {
  state().pad.clear();
  return pad_state();
}

val pad_undo() {
  state().pad.undo();
  return pad_state();
}

}  // namespace

EMSCRIPTEN_BINDINGS(annlab_pad) {
  emscripten::function("padState", &pad_state);
  emscripten::function("showPad", &show_pad);
  emscripten::function("padSetImage", &pad_set_image);
  emscripten::function("padClear", &pad_clear);
  emscripten::function("padUndo", &pad_undo);
  emscripten::function("padStep", &pad_step);
}
