#include "annlab/trace_replay.h"

#include <algorithm>

namespace annlab {

void TraceReplay::reset() {
  pos_ = 0;
  counts = QueryStats{};
  codes_compared = 0;
  best_ids.clear();
  best_values.clear();
}

void TraceReplay::apply(const TraceEvent& e) {
  switch (e.kind) {
    case TraceKind::BucketOpened: ++counts.buckets; break;
    case TraceKind::CellProbed: ++counts.cells; break;
    case TraceKind::NodeVisited: ++counts.nodes; break;
    case TraceKind::DistanceComputed: ++counts.distances; break;
    case TraceKind::CodeCompared: ++codes_compared; break;
    case TraceKind::CellsRanked: counts.distances += e.table; break;
    case TraceKind::TopKChanged: {
      const size_t k = trace_->ids.size();
      auto it = std::find(best_ids.begin(), best_ids.end(), e.id);
      if (it != best_ids.end()) {  // moved: take it out first
        best_values.erase(best_values.begin() + (it - best_ids.begin()));
        best_ids.erase(it);
      }
      const size_t at = std::min<size_t>(e.table, best_ids.size());
      best_ids.insert(best_ids.begin() + long(at), e.id);
      best_values.insert(best_values.begin() + long(at), e.value);
      if (best_ids.size() > k) {
        best_ids.resize(k);
        best_values.resize(k);
      }
      break;
    }
  }
}

void TraceReplay::seek(size_t pos) {
  pos = std::min(pos, size());
  if (pos < pos_) reset();
  while (pos_ < pos) apply(trace_->events[pos_++]);
}

bool TraceReplay::step() {
  if (at_end()) return false;
  apply(trace_->events[pos_++]);
  return true;
}

}  // namespace annlab
