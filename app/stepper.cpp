// The stepper (AppState::Stepper): a query's trace replayed on the map, event by event.
#include <algorithm>

#include "app_state.h"

namespace annlab::app {

void AppState::stepper_start() {
  const Results& r = inspector.results;
  if (!r.valid || !r.trace) return;
  stepper.active = true;
  stepper.playing = false;
  stepper.results_serial = r.serial;
  stepper.replay = TraceReplay(r.trace.get());
  stepper.pos = 0;
}

void AppState::stepper_stop() {
  stepper.active = stepper.playing = false;
  stepper.replay = TraceReplay();
}

void AppState::stepper_seek(size_t pos) {
  if (!stepper.active) stepper_start();
  if (!stepper.active) return;
  stepper.replay.seek(pos);
  stepper.pos = double(stepper.replay.position());
}

void AppState::stepper_step() {
  if (!stepper.active) stepper_start();
  if (!stepper.active || stepper.replay.at_end()) return;
  stepper.replay.seek(size_t(stepper.pos));
  stepper.replay.step();
  // A run of code comparisons is one step (PQ compares every code of a probed list).
  while (stepper.replay.last() && stepper.replay.last()->kind == TraceKind::CodeCompared && !stepper.replay.at_end() &&
         inspector.results.trace->events[stepper.replay.position()].kind == TraceKind::CodeCompared)
    stepper.replay.step();
  stepper.pos = double(stepper.replay.position());
}

void AppState::step_stepper(double dt) {
  if (!stepper.active) return;
  const Results& r = inspector.results;
  if (!r.valid || !r.trace) {
    stepper_stop();
    return;
  }
  if (r.serial != stepper.results_serial) {  // a new search: replay its trace from the start
    const bool was_playing = stepper.playing;
    stepper_start();
    stepper.playing = was_playing;
  }
  if (!stepper.playing) return;
  const double n = double(stepper.replay.size());
  const double rate = stepper.speed > 0 ? double(stepper.speed) : std::max(4.0, n / 8.0);
  stepper.pos = std::min(n, stepper.pos + rate * dt);
  stepper.replay.seek(size_t(stepper.pos));
  if (stepper.replay.at_end()) stepper.playing = false;
}

}  // namespace annlab::app

namespace annlab::app {

std::string AppState::index_title() const {
  if (!index) return "no index";
  const std::string p = describe_params(BuildParams{}, search_params());
  const std::string t = index->describe();
  return p.empty() ? t : t + " " + p;
}

Status AppState::pin_index() {
  if (!index) return Status::error("build an index first: the built index is what gets pinned beside the next one");
  if (job.running()) return Status::error("wait for the build to finish before pinning");
  if (pinned.size() >= kMaxPinned)
    return Status::error(cat("at most ", kMaxPinned + 1, " indexes side by side: unpin one first"));
  Pinned p;
  p.title = index_title();
  p.params = search_params();
  p.index = std::move(index);
  p.structure = std::move(structure);
  pinned.push_back(std::move(p));
  built_request.clear();
  index_info.clear();
  stepper_stop();
  refresh_pinned();
  run_search();
  return Status::ok();
}

void AppState::unpin(size_t i) {
  if (i < pinned.size()) pinned.erase(pinned.begin() + long(i));
}

void AppState::refresh_pinned() {
  const LabData* d = data();
  if (!d) return;
  for (Pinned& p : pinned) {
    const QueryState& q = inspector.query;
    if (!q.set) {
      p.inspector.results = Results{};
      continue;
    }
    if (p.query_serial == q.serial && p.k == uint64_t(inspector.k) && p.inspector.results.valid) continue;
    p.inspector.query = q;
    p.inspector.k = inspector.k;
    p.inspector.timed = inspector.timed;
    p.query_serial = q.serial;
    p.k = uint64_t(inspector.k);
    if (Status st = p.inspector.run(*d, p.index.get(), p.structure.get(), p.params); !st.is_ok())
      error = cat(p.title, ": ", st.message());
  }
}

}  // namespace annlab::app
