// app/build_job.h — an index build cut into small steps, so the lab keeps drawing frames while it
// builds (the browser page is single-threaded): train step by step (the index's TrainTask: k-means
// a block of rows at a time), then add the base in chunks sized to a time budget per frame.
// Progress is per stage (training, then adding: their costs differ by method and are not known in
// advance), each with the fraction its own work reports and, once it has run a little, an estimate
// of the time left from its rate so far. Times are wall times from Build, and the part of them spent
// building between frames.
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
  // The current stage (1: training, then 2: encoding the base elsewhere when the index needs it,
  // then adding vectors; 0 before a start), of stage_count(), and its progress, 0..1.
  int stage_number() const { return !index_ ? 0 : !trained_ ? 1 : prepared_ ? stage_count() : 2; }
  int stage_count() const { return prepares_ ? 3 : 2; }
  double progress() const;
  const std::string& stage() const { return stage_; }
  // Seconds left in the current stage at its rate so far; negative while there is too little to go on.
  double stage_seconds_left() const;
  // "training: k-means 3/10 — 40 %, about 12 s left in this stage", for the progress bar.
  std::string progress_text() const;
  double seconds() const { return seconds_; }       // spent building (inside step())
  double wall_seconds() const;                      // since start(), frozen when finished
  // Frames (step calls) the training took, and the pieces it was cut into (its steps: bounded
  // work each, whatever the machine's speed).
  size_t training_frames() const { return training_frames_; }
  size_t training_steps() const { return training_steps_; }

 private:
  std::unique_ptr<Index> index_, finished_;
  TrainTask training_;  // declared after index_: destroyed before it
  TrainTask preparing_;
  bool prepares_ = false, prepared_ = false;
  double prepare_fraction_ = 0;
  VectorView base_;
  double train_fraction_ = 0;
  size_t training_frames_ = 0, training_steps_ = 0;
  bool trained_ = false;
  size_t next_ = 0;
  size_t chunk_ = 256;
  std::string stage_;
  double seconds_ = 0;
  std::chrono::steady_clock::time_point started_, stage_started_, finished_at_;
};

}  // namespace annlab::app
