// annlab/trace_replay.h — a query's trace (index.h) replayed event by event: what the lab's stepper
// shows at each step. At the end of the trace it holds the same answer and the same counts as the
// search (tests/core/registry_test.cpp checks it for every method).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "annlab/index.h"

namespace annlab {

class TraceReplay {
 public:
  TraceReplay() = default;
  explicit TraceReplay(const Trace* trace) : trace_(trace) { reset(); }
  size_t size() const { return trace_ ? trace_->events.size() : 0; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ >= size(); }
  // Replays up to (not including) event `pos`, from the start when going back.
  void seek(size_t pos);
  // One more event; false at the end.
  bool step();
  // The event just replayed (nullptr before the first).
  const TraceEvent* last() const { return pos_ && trace_ ? &trace_->events[pos_ - 1] : nullptr; }

  // What the search has done so far: full-precision distances (DistanceComputed, and CellsRanked's
  // distance-equivalents), buckets opened,
  // cells probed, nodes visited, as QueryStats counts them; and codes compared (CodeCompared).
  QueryStats counts;
  uint64_t codes_compared = 0;
  // The current best k (TopKChanged: an id enters at a rank and the rest move down), best first.
  std::vector<int64_t> best_ids;
  std::vector<float> best_values;

 private:
  void reset();
  void apply(const TraceEvent& e);
  const Trace* trace_ = nullptr;
  size_t pos_ = 0;
};

}  // namespace annlab
