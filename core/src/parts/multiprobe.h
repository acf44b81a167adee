// Private header (core/src): multi-probe sequences (Lv et al., "Multi-probe LSH", 2007).
//
// Elements 0..m-1 are perturbations with non-negative costs (for hyperplane LSH: flipping the
// bit whose hyperplane lies closest to the query costs least). They are ranked by cost (ties by
// index); next() returns the subsets of ranks in increasing total cost, from a heap grown by two
// moves: shift (replace the largest rank r by r + 1) and expand (add r + 1). Every subset appears
// exactly once; element(r) is the element of rank r.
// `valid` can reject a subset (p-stable LSH: never +1 and -1 on the same coordinate); rejected
// subsets are still expanded, as in the paper.
#pragma once

#include <algorithm>
#include <cstdint>
#include <queue>
#include <vector>

namespace annlab::detail {

class ProbeSequence {
 public:
  ProbeSequence() = default;
  explicit ProbeSequence(const std::vector<double>& costs) : order_(costs.size()), cost_(costs.size()) {
    for (uint32_t e = 0; e < order_.size(); ++e) order_[e] = e;
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return costs[a] < costs[b]; });
    for (size_t r = 0; r < order_.size(); ++r) cost_[r] = costs[order_[r]];
    if (!cost_.empty()) heap_.push({cost_[0], {0}});
  }
  uint32_t element(uint32_t rank) const { return order_[rank]; }
  // The next subset (sorted element indices) in increasing cost; false when none are left.
  template <class Valid>
  bool next(std::vector<uint32_t>* out, Valid valid) {
    while (!heap_.empty()) {
      Entry e = heap_.top();
      heap_.pop();
      const uint32_t last = e.set.back();
      if (last + 1 < cost_.size()) {
        Entry shift = e;
        shift.set.back() = last + 1;
        shift.cost += cost_[last + 1] - cost_[last];
        heap_.push(std::move(shift));
        Entry expand = e;
        expand.set.push_back(last + 1);
        expand.cost += cost_[last + 1];
        heap_.push(std::move(expand));
      }
      if (valid(e.set)) {
        *out = std::move(e.set);
        return true;
      }
    }
    return false;
  }
  bool next(std::vector<uint32_t>* out) {
    return next(out, [](const std::vector<uint32_t>&) { return true; });
  }

 private:
  struct Entry {
    double cost;
    std::vector<uint32_t> set;
    // Ties by the set itself, so the order is the same in every build.
    bool operator<(const Entry& o) const { return cost > o.cost || (cost == o.cost && set > o.set); }
  };
  std::vector<uint32_t> order_;  // elements by cost
  std::vector<double> cost_;     // by rank
  std::priority_queue<Entry> heap_;
};

}  // namespace annlab::detail
