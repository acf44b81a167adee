#include "evaluation.h"

#include <algorithm>
#include <chrono>

#include "annlab/eval.h"

namespace annlab::app {

void Evaluation::start(const LabData& d, Index& index, const SearchParams& params, std::string what, size_t n,
                       size_t k) {
  preparing_ = TrainTask();
  d_ = &d;
  index_ = &index;
  params_ = params;
  what_ = std::move(what);
  n_ = std::min(n, d.queries.n);
  k_ = std::min(k, index.size());
  next_ = 0;
  chunk_ = 8;
  ids_.assign(n_ * k_, -1);
  gt_.assign(n_ * k_, -1);
  distances_ = 0;
  chunk_us_.clear();
  timed_ = 0;
  running_ = n_ > 0 && k_ > 0;
  has_report_ = false;
  prepare_fraction_ = 0;
  prepare_stage_ = "encoding the queries";
  elsewhere_ = index.computes_elsewhere();
  bytes_ = index.memory_bytes();
  if (running_ && elsewhere_) preparing_ = index.prepare_task(d.queries.view().rows(0, n_));
}

Status Evaluation::step(double budget_ms) {
  if (!running_) return Status::ok();
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const double floor_us = 10 * clock_resolution_us();
  if (preparing_.valid()) {
    const auto spent = [&] { return std::chrono::duration<double, std::milli>(clock::now() - t0).count() >= budget_ms; };
    if (!resume_for_frame(preparing_, spent, [&](const TrainStep& s) {
          prepare_stage_ = s.stage;
          prepare_fraction_ = s.fraction;
        }))
      return Status::ok();
    const Status st = preparing_.status();
    preparing_ = TrainTask();
    if (!st.is_ok()) {
      running_ = false;
      return st;
    }
  }
  while (next_ < n_ && std::chrono::duration<double, std::milli>(clock::now() - t0).count() < budget_ms) {
    const size_t count = std::min(chunk_, n_ - next_);
    const VectorView q = d_->queries.view().rows(next_, count);
    // The exact answers of the chunk (not timed), then the method on the same queries, one at a
    // time, timed as a whole.
    SearchResult ex;
    Status st = d_->exact->search(q, k_, {}, &ex);
    if (!st.is_ok()) {
      running_ = false;
      return st;
    }
    std::copy(ex.ids.begin(), ex.ids.end(), gt_.begin() + long(next_ * k_));
    std::vector<SearchResult> res(count);
    const auto c0 = clock::now();
    for (size_t i = 0; i < count && st.is_ok(); ++i) st = index_->search(q.rows(i, 1), k_, params_, &res[i]);
    const double us = std::chrono::duration<double, std::micro>(clock::now() - c0).count();
    if (!st.is_ok()) {
      running_ = false;
      return st;
    }
    for (size_t i = 0; i < count; ++i) {
      std::copy(res[i].ids.begin(), res[i].ids.end(), ids_.begin() + long((next_ + i) * k_));
      distances_ += res[i].stats[0].distances;
    }
    // A chunk too short to time doubles the next one; its queries still count for recall.
    if (us >= floor_us) {
      chunk_us_.push_back(us / double(count));
      timed_ += count;
    } else {
      chunk_ = std::min<size_t>(chunk_ * 2, 4096);
    }
    next_ += count;
  }
  if (next_ < n_) return Status::ok();
  running_ = false;
  return finish();
}

Status Evaluation::finish() {
  const VectorView base = d_->base_view(), queries = d_->queries.view().rows(0, n_);
  ANNLAB_ASSIGN_OR_RETURN(Quality q, evaluate(ids_.data(), k_, gt_.data(), k_, base, queries, k_));
  EvalReport r;
  r.index = what_;
  r.nq = n_;
  r.k = k_;
  r.recall = q.recall;
  r.one_recall = q.one_recall;
  r.distance_ratio = q.distance_ratio;
  r.distances_per_query = double(distances_) / double(n_);
  r.time.valid = true;
  if (chunk_us_.empty()) {
    r.time.too_fast = true;
  } else {
    std::vector<double> t = chunk_us_;
    std::nth_element(t.begin(), t.begin() + long(t.size() / 2), t.end());
    r.time.median_us = t[t.size() / 2];
    r.time.runs = timed_;
  }
  std::vector<std::pair<double, size_t>> per;
  for (size_t i = 0; i < n_; ++i) {
    auto one = evaluate(ids_.data() + i * k_, k_, gt_.data() + i * k_, k_, base, queries.rows(i, 1), k_);
    if (one.is_ok()) per.emplace_back(one->recall, i);
  }
  std::sort(per.begin(), per.end());
  per.resize(std::min<size_t>(per.size(), 5));
  r.worst = std::move(per);
  r.bytes = bytes_;
  r.encoded_elsewhere = elsewhere_;
  history_.push_back(r);
  if (history_.size() > kHistory) history_.erase(history_.begin());
  report_ = std::move(r);
  has_report_ = true;
  return Status::ok();
}

}  // namespace annlab::app
