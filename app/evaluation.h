// app/evaluation.h — "Evaluate": the method over many held-out queries, as `annlab bench` measures
// it: mean recall@k (the tie rule), 1-recall@k and distance ratio from the same evaluate() (eval.h)
// against the exact answers, full-precision distances per query, and the median time per query (of
// chunks of queries searched one at a time, each chunk long enough to time), with the five worst
// queries. Cut into steps between frames, with progress.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annlab/index.h"
#include "annlab/status.h"
#include "data_source.h"
#include "query_inspector.h"

namespace annlab::app {

struct EvalReport {
  std::string index;          // what was evaluated: description and search parameters
  size_t nq = 0, k = 0;
  double recall = 0, one_recall = 0, distance_ratio = 0;
  double distances_per_query = 0;
  Timing time;                // per query
  std::vector<std::pair<double, size_t>> worst;  // (recall@k, held-out query), worst first, five
  size_t bytes = 0;           // the index's own memory
  bool encoded_elsewhere = false;  // the queries' codes came from the page's model runtime (not in the time)
};

class Evaluation {
 public:
  // Evaluates `index` with `params` on the first n held-out queries of `d` (both must outlive the
  // evaluation, or be cancelled first).
  // An index whose codes are computed elsewhere (NPhash in the page) first has the queries encoded
  // by the page's model runtime (not timed: the method's time is its search, as `annlab bench`
  // measures; the encoder's cost is reported beside it).
  void start(const LabData& d, Index& index, const SearchParams& params, std::string what, size_t n, size_t k);
  // Works for up to budget_ms; the report is ready when running() turns false without an error.
  Status step(double budget_ms);
  void cancel() {
    preparing_ = TrainTask();
    running_ = false;
  }
  bool running() const { return running_; }
  double progress() const { return preparing_.valid() ? prepare_fraction_ : n_ ? double(next_) / double(n_) : 0.0; }
  // "evaluating", or what the queries' preparation is doing.
  std::string stage() const { return preparing_.valid() ? prepare_stage_ : "evaluating"; }
  const EvalReport* report() const { return has_report_ ? &report_ : nullptr; }
  // The finished reports on this data set, oldest first (at most kHistory): methods side by side.
  static constexpr size_t kHistory = 8;
  const std::vector<EvalReport>& history() const { return history_; }
  void clear_history() { history_.clear(); }
  void forget() {
    has_report_ = false;
    cancel();
  }

 private:
  Status finish();
  const LabData* d_ = nullptr;
  const Index* index_ = nullptr;
  SearchParams params_;
  std::string what_;
  size_t n_ = 0, k_ = 0, next_ = 0, chunk_ = 8;
  bool running_ = false, has_report_ = false;
  std::vector<int64_t> ids_, gt_;
  uint64_t distances_ = 0;
  std::vector<double> chunk_us_;  // per query, one entry per timed chunk
  size_t timed_ = 0;
  EvalReport report_;
  std::vector<EvalReport> history_;
  bool elsewhere_ = false;
  size_t bytes_ = 0;
  TrainTask preparing_;
  double prepare_fraction_ = 0;
  std::string prepare_stage_;
};

}  // namespace annlab::app
