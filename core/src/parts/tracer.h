// Private header (core/src): tracers handed to search loops. A loop written once as a template
// runs with NullTracer for search() (the calls compile away) and with EventTracer for explain.
#pragma once

#include <vector>

#include "annlab/index.h"

namespace annlab::detail {

struct NullTracer {
  static constexpr bool kOn = false;
  void event(TraceKind, uint32_t, int64_t, float) {}
};

struct EventTracer {
  static constexpr bool kOn = true;
  std::vector<TraceEvent>* events;
  void event(TraceKind kind, uint32_t table, int64_t id, float value) {
    events->push_back({kind, table, id, value});
  }
};

}  // namespace annlab::detail
