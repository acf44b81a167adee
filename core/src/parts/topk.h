// Private header (core/src): the k best (distance, id) pairs seen so far.
// Ordered by distance, then id, so equal distances resolve the same way in every build.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace annlab::detail {

class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k + 1); }

  // Offers a candidate; returns true when it entered the top k.
  bool push(double dist, int64_t id) {
    if (heap_.size() < k_) {
      heap_.push_back({dist, id});
      std::push_heap(heap_.begin(), heap_.end());
      return true;
    }
    if (!(Entry{dist, id} < heap_.front())) return false;
    std::pop_heap(heap_.begin(), heap_.end());
    heap_.back() = {dist, id};
    std::push_heap(heap_.begin(), heap_.end());
    return true;
  }
  // The distance a candidate must beat (+inf until k are held).
  double bound() const {
    return heap_.size() < k_ ? std::numeric_limits<double>::infinity() : heap_.front().dist;
  }
  // Rank (0 = nearest) that (dist, id) holds now; call right after a successful push.
  size_t rank_of(double dist, int64_t id) const {
    size_t r = 0;
    for (const Entry& e : heap_) r += e < Entry{dist, id};
    return r;
  }
  // Writes k entries, nearest first; unused slots get id -1 and +inf.
  void write(int64_t* ids, float* dist) {
    std::sort_heap(heap_.begin(), heap_.end());
    for (size_t i = 0; i < k_; ++i) {
      ids[i] = i < heap_.size() ? heap_[i].id : -1;
      dist[i] = i < heap_.size() ? static_cast<float>(heap_[i].dist) : std::numeric_limits<float>::infinity();
    }
    heap_.clear();
  }

 private:
  struct Entry {
    double dist;
    int64_t id;
    bool operator<(const Entry& o) const { return dist < o.dist || (dist == o.dist && id < o.id); }
  };
  size_t k_;
  std::vector<Entry> heap_;
};

// The `cap` (>= 1) codes nearest by Hamming distance, offered in increasing id order: a max-heap
// of packed (distance << 32 | id) keys. Since ids only grow, once the heap is full a code enters
// only with a distance strictly below the cap-th's (a tie would carry a larger id); bound() is that
// distance (UINT32_MAX until full), so a scan can skip whatever does not beat it.
// Shared by hamming_smallest (binary_index.cpp) and the bit-plane ranking (bit_planes.cpp).
class HammingHeap {
 public:
  explicit HammingHeap(size_t cap) : cap_(cap) { heap_.reserve(cap); }

  uint32_t bound() const { return bound_; }
  bool full() const { return heap_.size() == cap_; }
  // Offers code `id` (larger than every id offered before) at distance `dist`; ids < 2^32.
  void push(uint32_t dist, size_t id) {
    if (dist >= bound_) return;
    const uint64_t key = (uint64_t(dist) << 32) | uint64_t(id);
    if (heap_.size() < cap_) {
      heap_.push_back(key);
      std::push_heap(heap_.begin(), heap_.end());
      if (heap_.size() == cap_) bound_ = uint32_t(heap_.front() >> 32);
    } else {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = key;
      std::push_heap(heap_.begin(), heap_.end());
      bound_ = uint32_t(heap_.front() >> 32);
    }
  }
  // The ids held, in increasing (distance, id) order.
  void take(std::vector<int64_t>* out) {
    std::sort(heap_.begin(), heap_.end());
    out->resize(heap_.size());
    for (size_t i = 0; i < heap_.size(); ++i) (*out)[i] = int64_t(heap_[i] & 0xFFFFFFFFu);
    heap_.clear();
  }

 private:
  size_t cap_;
  uint32_t bound_ = UINT32_MAX;
  std::vector<uint64_t> heap_;
};

}  // namespace annlab::detail
