// app/build_job.h — an index build cut into small steps, so the lab keeps drawing frames while it
// builds (the browser page is single-threaded): train step by step (the index's TrainTask: k-means
// a block of rows at a time), then add the base in chunks sized to a time budget per frame.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "annlab/dataset.h"
#include "annlab/index.h"

namespace annlab::app {

class BuildJob {
 public:
  // Starts building `index` over `base` (which must outlive the job).
  void start(std::unique_ptr<Index> index, VectorView base);
  // Works for up to budget_ms; returns the error if the build failed (the job then stops).
  Status step(double budget_ms);
  void cancel();
  bool running() const { return index_ != nullptr; }
  bool finished() const { return finished_ != nullptr; }
  // The finished index (once), and the seconds spent on it.
  std::unique_ptr<Index> take();
  double progress() const;          // 0..1
  const std::string& stage() const { return stage_; }
  double seconds() const { return seconds_; }
  // Frames (step calls) the training took.
  size_t training_frames() const { return training_frames_; }

 private:
  std::unique_ptr<Index> index_, finished_;
  TrainTask training_;  // declared after index_: destroyed before it
  VectorView base_;
  double train_fraction_ = 0;
  size_t training_frames_ = 0;
  bool trained_ = false;
  size_t next_ = 0;
  size_t chunk_ = 256;
  std::string stage_;
  double seconds_ = 0;
};

}  // namespace annlab::app
