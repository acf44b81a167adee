// annlab/train_task.h — training cut into steps, so a single-threaded caller (the lab in the
// browser) can train between frames instead of freezing.
//
// A TrainTask is a C++20 coroutine: each resume() runs one bounded unit of work (a block of a
// k-means assignment, a k-means++ chunk, one sub-space, a few LOPQ cells...) and stops at the next
// co_yield with a description of where it is. Training through a task and training in one call
// run the same code in the same order, so they give the same index, bit for bit.
//   TrainTask t = index.train_task(x);
//   while (t.resume()) show(t.step());     // or: Status st = t.run();
//   Status st = t.status();
// A task must not outlive what it was given (the vectors it trains on).
#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <utility>

#if __has_include(<coroutine>)
#include <coroutine>
namespace annlab::coro {
using std::coroutine_handle;
using std::suspend_always;
}  // namespace annlab::coro
#else  // Emscripten 3.1.6's libc++ ships the TS header only
#include <experimental/coroutine>
namespace annlab::coro {
using std::experimental::coroutine_handle;
using std::experimental::suspend_always;
}  // namespace annlab::coro
#endif

#include "annlab/status.h"

namespace annlab {

// Where a training run is: "k-means 3/10", with the fraction of that stage done.
struct TrainStep {
  std::string stage;
  double fraction = 0;
  // The step waits on work done outside (the page's ONNX Runtime Web): a stepping caller returns
  // to its frame loop instead of resuming at once (which would only spin until the frame's budget).
  bool waiting = false;
};

class TrainTask {
 public:
  struct promise_type {
    TrainStep step;
    Status status = Status::ok();
    TrainTask get_return_object() { return TrainTask(coro::coroutine_handle<promise_type>::from_promise(*this)); }
    coro::suspend_always initial_suspend() noexcept { return {}; }
    coro::suspend_always final_suspend() noexcept { return {}; }
    coro::suspend_always yield_value(const TrainStep& s) {
      step = s;
      return {};
    }
    void return_value(Status s) { status = std::move(s); }
    void unhandled_exception() { std::terminate(); }
  };

  TrainTask() = default;
  TrainTask(TrainTask&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  TrainTask& operator=(TrainTask&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  TrainTask(const TrainTask&) = delete;
  TrainTask& operator=(const TrainTask&) = delete;
  ~TrainTask() {
    if (h_) h_.destroy();
  }

  bool valid() const { return bool(h_); }
  bool done() const { return !h_ || h_.done(); }
  // Runs to the next step; false once the task has finished (status() is then its result).
  bool resume() {
    if (done()) return false;
    h_.resume();
    return !h_.done();
  }
  const TrainStep& step() const { return h_.promise().step; }
  Status status() const { return h_ ? h_.promise().status : Status::error("empty training task"); }
  // Runs every remaining step.
  Status run() {
    while (resume()) {
    }
    return status();
  }

 private:
  explicit TrainTask(coro::coroutine_handle<promise_type> h) : h_(h) {}
  coro::coroutine_handle<promise_type> h_;
};

// A task with nothing to do: it finishes, successfully, at its first resume().
TrainTask finished_task();

// How a frame-driven caller works a task: resumes it until `stop()` (the frame's budget is spent),
// a step that waits on work outside, or its end; `on_step` sees each step. True once it has finished.
template <class Stop, class OnStep>
bool resume_for_frame(TrainTask& task, Stop stop, OnStep on_step) {
  while (!stop() && task.resume()) {
    on_step(task.step());
    if (task.step().waiting) break;  // the page is fetching, opening or running a model
  }
  return task.done();
}

}  // namespace annlab

// Inside a TrainTask coroutine: runs the sub-task `task`, passing its steps on, and returns its
// error if it fails.
#define ANNLAB_CO_RUN(task)                                 \
  do {                                                      \
    ::annlab::TrainTask annlab_sub_ = (task);               \
    while (annlab_sub_.resume()) co_yield annlab_sub_.step(); \
    if (!annlab_sub_.status().is_ok()) co_return annlab_sub_.status(); \
  } while (0)
// Inside a TrainTask coroutine: yields a step. (The step is a named local, not a temporary of the
// co_yield expression: GCC 12 destroys such temporaries twice.)
#define ANNLAB_CO_STEP(stage, fraction)                          \
  do {                                                          \
    const ::annlab::TrainStep annlab_step_{(stage), (fraction)}; \
    co_yield annlab_step_;                                      \
  } while (0)
// Inside a TrainTask coroutine: yields a step that waits on work outside (TrainStep::waiting).
#define ANNLAB_CO_WAIT(stage, fraction)                                \
  do {                                                                \
    const ::annlab::TrainStep annlab_step_{(stage), (fraction), true}; \
    co_yield annlab_step_;                                            \
  } while (0)
// Inside a TrainTask coroutine: returns the error of a Status expression.
#define ANNLAB_CO_TRY(expr)                        \
  do {                                             \
    ::annlab::Status annlab_st_ = (expr);          \
    if (!annlab_st_.is_ok()) co_return annlab_st_; \
  } while (0)
