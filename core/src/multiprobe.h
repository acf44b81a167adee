// Private header (core/src): multi-probe sequences (Lv et al., "Multi-probe LSH", 2007).
//
// Elements 0..m-1 are perturbations with non-negative costs in ascending order (for hyperplane
// LSH: flipping the bit whose hyperplane lies closest to the query costs least). next() returns
// the subsets of elements in increasing total cost, from a heap grown by two moves: shift (replace
// the largest element e by e + 1) and expand (add e + 1). Every subset appears exactly once.
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
  explicit ProbeSequence(std::vector<double> sorted_costs) : cost_(std::move(sorted_costs)) {
    if (!cost_.empty()) heap_.push({cost_[0], {0}});
  }
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
  std::vector<double> cost_;
  std::priority_queue<Entry> heap_;
};

}  // namespace annlab::detail
