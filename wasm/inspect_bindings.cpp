// wasm/inspect_bindings.cpp — watching a method think, in the JavaScript API (docs/js-api.md): the
// map's layout (PCA or the neighbour-preserving one), the stepper over the query's trace, the
// reasons each true neighbour was missed, and indexes pinned side by side.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "web_lab.h"

using emscripten::val;
using namespace annlab;
using namespace annlab::app;

namespace {

AppState& state() { return web_lab().state; }

template <class T>
val array_of(const std::vector<T>& v) {
  val a = val::array();
  for (size_t i = 0; i < v.size(); ++i) a.set(i, double(v[i]));
  return a;
}

val status_of(const Status& st) {
  val r = val::object();
  r.set("ok", st.is_ok());
  if (!st.is_ok()) r.set("error", st.message());
  return r;
}

// The map: which projection is shown, whether the data have a layout, a layout being computed.
val map_state() {
  AppState& s = state();
  val r = val::object();
  const LabData* d = s.data();
  r.set("ok", d != nullptr);
  if (!d) return r;
  r.set("kind", std::string(d->map_kind == LabData::MapKind::Layout ? "umap" : "pca"));
  r.set("hasLayout", d->has_layout());
  r.set("pending", s.layout_pending());
  r.set("stage", s.layout_stage);
  r.set("fraction", s.layout_fraction);
  r.set("seconds", s.layout_seconds);
  r.set("cap", double(s.layout_cap));
  r.set("cx", s.map.cx);
  r.set("cy", s.map.cy);
  r.set("scale", s.map.scale);
  r.set("queryX", s.inspector.query.set ? double(s.inspector.query.xy[0]) : 0.0);
  r.set("queryY", s.inspector.query.set ? double(s.inspector.query.xy[1]) : 0.0);
  val panes = val::array();
  for (size_t i = 0; i + 3 < s.map.pane_rects.size(); i += 4) {
    val p = val::object();
    p.set("x", s.map.pane_rects[i]);
    p.set("y", s.map.pane_rects[i + 1]);
    p.set("width", s.map.pane_rects[i + 2]);
    p.set("height", s.map.pane_rects[i + 3]);
    panes.set(i / 4, p);
  }
  r.set("panes", panes);
  r.set("legend", [&] {
    val a = val::array();
    for (size_t i = 0; i < s.map.legend.size(); ++i) a.set(i, s.map.legend[i]);
    return a;
  }());
  return r;
}

val set_map(std::string kind) {
  if (kind != "pca" && kind != "umap") return status_of(Status::error(cat("map '", kind, "': expected pca or umap")));
  return status_of(state().set_map_kind(kind == "umap" ? LabData::MapKind::Layout : LabData::MapKind::Pca));
}

// The map coordinates of base points [begin, begin + count).
val map_points(int begin, int count) {
  const LabData* d = state().data();
  val a = val::array();
  if (!d || begin < 0) return a;
  const size_t b = size_t(begin), e = std::min(d->base.n, b + size_t(std::max(count, 0)));
  for (size_t i = b; i < e; ++i) {
    a.set(2 * (i - b), d->base_xy[2 * i]);
    a.set(2 * (i - b) + 1, d->base_xy[2 * i + 1]);
  }
  return a;
}

val stepper_state() {
  AppState& s = state();
  const AppState::Stepper& st = s.stepper;
  val r = val::object();
  r.set("ok", true);
  r.set("active", st.active);
  r.set("playing", st.playing);
  r.set("position", double(st.replay.position()));
  r.set("events", double(st.replay.size()));
  r.set("bestIds", array_of(st.replay.best_ids));
  val c = val::object();
  c.set("distances", double(st.replay.counts.distances));
  c.set("cells", double(st.replay.counts.cells));
  c.set("buckets", double(st.replay.counts.buckets));
  c.set("nodes", double(st.replay.counts.nodes));
  c.set("codes", double(st.replay.codes_compared));
  r.set("counts", c);
  if (const TraceEvent* e = st.replay.last()) r.set("last", std::string(trace_kind_name(e->kind)));
  return r;
}

val stepper(std::string action, double arg) {
  AppState& s = state();
  if (action == "start") s.stepper_start();
  else if (action == "stop") s.stepper_stop();
  else if (action == "seek") s.stepper_seek(size_t(std::max(0.0, arg)));
  else if (action == "step") s.stepper_step();
  else if (action == "play") {
    if (!s.stepper.active) s.stepper_start();
    s.stepper.speed = float(std::max(0.0, arg));
    s.stepper.playing = s.stepper.active;
  } else if (action == "pause") s.stepper.playing = false;
  else return status_of(Status::error(cat("stepper action '", action, "': expected start, stop, seek, step, play or pause")));
  if (!s.stepper.active && action != "stop")
    return status_of(Status::error("nothing to step through: search a query with a built index first"));
  return stepper_state();
}

val misses() {
  const Results& r = state().inspector.results;
  val a = val::array();
  for (size_t i = 0; i < r.misses.size(); ++i) {
    const MissReason& m = r.misses[i];
    val o = val::object();
    o.set("id", double(m.id));
    o.set("trueRank", double(m.true_rank));
    o.set("stage", m.stage);
    o.set("sentence", m.sentence);
    o.set("where", double(m.where));
    o.set("table", double(m.table));
    val fix = val::array();
    for (size_t j = 0; j < m.fix.size(); ++j) {
      val f = val::object();
      f.set("name", m.fix[j].first);
      f.set("value", double(m.fix[j].second));
      fix.set(j, f);
    }
    o.set("fix", fix);
    o.set("checked", m.checked);
    a.set(i, o);
  }
  return a;
}

void focus_miss(int i) { state().focus_miss = i; }

// The Fit button: the map fitted to the data on the next frame.
void map_fit() { state().map.fitted_serial = 0; }

val pin_index() { return status_of(state().pin_index()); }
void unpin(int i) { state().unpin(size_t(std::max(i, 0))); }

val pinned() {
  AppState& s = state();
  val a = val::array();
  for (size_t i = 0; i < s.pinned.size(); ++i) {
    const AppState::Pinned& p = s.pinned[i];
    val o = val::object();
    o.set("title", p.title);
    o.set("valid", p.inspector.results.valid);
    o.set("ids", array_of(p.inspector.results.method_ids));
    o.set("recall", p.inspector.results.recall);
    o.set("distances", double(p.inspector.results.stats.distances));
    a.set(i, o);
  }
  return a;
}

}  // namespace

EMSCRIPTEN_BINDINGS(annlab_inspect) {
  emscripten::function("mapState", &map_state);
  emscripten::function("setMap", &set_map);
  emscripten::function("mapPoints", &map_points);
  emscripten::function("stepper", &stepper);
  emscripten::function("stepperState", &stepper_state);
  emscripten::function("misses", &misses);
  emscripten::function("focusMiss", &focus_miss);
  emscripten::function("mapFit", &map_fit);
  emscripten::function("pinIndex", &pin_index);
  emscripten::function("unpin", &unpin);
  emscripten::function("pinned", &pinned);
}
