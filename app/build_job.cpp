#include "build_job.h"

#include <algorithm>

namespace annlab::app {

void BuildJob::start(std::unique_ptr<Index> index, VectorView base) {
  training_ = TrainTask();
  preparing_ = TrainTask();
  index_ = std::move(index);
  training_ = index_->train_task(base);
  prepares_ = index_->base_computed_elsewhere();
  prepared_ = !prepares_;
  prepare_fraction_ = 0;
  train_fraction_ = 0;
  training_frames_ = 0;
  training_steps_ = 0;
  finished_.reset();
  base_ = base;
  trained_ = false;
  next_ = 0;
  chunk_ = 256;
  seconds_ = 0;
  stage_ = "training";
  started_ = stage_started_ = std::chrono::steady_clock::now();
}

void BuildJob::cancel() {
  training_ = TrainTask();
  preparing_ = TrainTask();  // cancels a model run still going in the page
  index_.reset();
  stage_ = "cancelled";
}

std::unique_ptr<Index> BuildJob::take() { return std::move(finished_); }

double BuildJob::progress() const {
  if (!index_) return finished_ ? 1.0 : 0.0;
  if (!trained_) return std::clamp(train_fraction_, 0.0, 1.0);
  if (!prepared_) return std::clamp(prepare_fraction_, 0.0, 1.0);
  return double(next_) / double(std::max<size_t>(base_.n, 1));
}

double BuildJob::wall_seconds() const {
  const auto end = index_ || !finished_ ? std::chrono::steady_clock::now() : finished_at_;
  return std::chrono::duration<double>(end - started_).count();
}

double BuildJob::stage_seconds_left() const {
  const double f = progress();
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_started_).count();
  if (!index_ || f < 0.02 || t < 0.5) return -1;
  return t * (1 - f) / f;
}

std::string BuildJob::progress_text() const {
  if (!index_) return stage_;
  const int pct = int(progress() * 100);
  const double left = stage_seconds_left();
  std::string s = cat("step ", stage_number(), " of ", stage_count(), ", ", stage_, ": ", pct, " %");
  if (left >= 0) s += left < 1 ? ", under a second left in this step" : cat(", about ", int(left + 0.5), " s left in this step");
  return s;
}

Status BuildJob::step(double budget_ms) {
  if (!index_) return Status::ok();
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed_ms = [&] { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); };
  const VectorView all = base_;
  Status st = Status::ok();
  if (!trained_) {
    // Training steps (each a bounded piece of k-means) until the budget is spent.
    ++training_frames_;
    const auto spent = [&] { return elapsed_ms() >= budget_ms; };
    if (!resume_for_frame(training_, spent, [&](const TrainStep& s) {
          stage_ = "training: " + s.stage;
          train_fraction_ = s.fraction;
          ++training_steps_;
        })) {
      seconds_ += elapsed_ms() / 1000.0;
      return st;
    }
    st = training_.status();
    training_ = TrainTask();
    trained_ = true;
    stage_ = prepared_ ? "adding vectors" : "encoding the base";
    stage_started_ = clock::now();
    if (st.is_ok() && !prepared_) preparing_ = index_->prepare_task(all);
    if (st.is_ok() && elapsed_ms() > budget_ms) {
      seconds_ += elapsed_ms() / 1000.0;
      return st;
    }
  }
  if (st.is_ok() && !prepared_) {
    // The base's codes, computed by the page's model runtime while frames are drawn.
    const auto spent = [&] { return elapsed_ms() >= budget_ms; };
    if (!resume_for_frame(preparing_, spent, [&](const TrainStep& s) {
          stage_ = s.stage;
          prepare_fraction_ = s.fraction;
        })) {
      seconds_ += elapsed_ms() / 1000.0;
      return st;
    }
    st = preparing_.status();
    preparing_ = TrainTask();
    prepared_ = true;
    stage_ = "adding vectors";
    stage_started_ = clock::now();
  }
  while (st.is_ok() && next_ < all.n && elapsed_ms() < budget_ms) {
    const size_t count = index_->rebuilds_on_add() ? all.n - next_ : std::min(chunk_, all.n - next_);
    const auto c0 = clock::now();
    st = index_->add(all.rows(next_, count));
    next_ += count;
    // Aim each chunk at a quarter of the budget.
    const double ms = std::chrono::duration<double, std::milli>(clock::now() - c0).count();
    if (ms < budget_ms / 8) chunk_ = std::min<size_t>(chunk_ * 2, 1 << 16);
    else if (ms > budget_ms / 2 && chunk_ > 16) chunk_ /= 2;
  }
  seconds_ += elapsed_ms() / 1000.0;
  if (!st.is_ok()) {
    index_.reset();
    stage_ = "failed";
    return st;
  }
  if (next_ >= all.n) {
    finished_ = std::move(index_);
    finished_at_ = clock::now();
    stage_ = "done";
  }
  return Status::ok();
}

}  // namespace annlab::app
