// Private header (core/src/parts): one hash table of a bucketed LSH (hyperplane or p-stable): every
// vector's (key, id), sorted by key then id, so a bucket is a run of equal keys. Adding a batch
// merges its sorted entries in (linear), so a build can proceed in small steps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "annlab/binary_io.h"
#include "annlab/index.h"
#include "annlab/status.h"

namespace annlab::detail {

struct BucketTable {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> ids;

  // Merges fresh (key, id) entries whose ids are all larger than every id already held.
  void merge(std::vector<std::pair<uint64_t, uint32_t>>& fresh) {
    std::sort(fresh.begin(), fresh.end());
    std::vector<uint64_t> mk;
    std::vector<uint32_t> mi;
    mk.reserve(keys.size() + fresh.size());
    mi.reserve(keys.size() + fresh.size());
    size_t a = 0, b = 0;
    while (a < keys.size() || b < fresh.size()) {
      // New ids are larger than every old one, so at equal keys the old entry goes first.
      const bool old_first = b == fresh.size() || (a < keys.size() && keys[a] <= fresh[b].first);
      if (old_first) {
        mk.push_back(keys[a]);
        mi.push_back(ids[a++]);
      } else {
        mk.push_back(fresh[b].first);
        mi.push_back(fresh[b++].second);
      }
    }
    keys = std::move(mk);
    ids = std::move(mi);
  }
  // [start, end) of the bucket with this key (empty when absent).
  std::pair<uint32_t, uint32_t> range(uint64_t key) const {
    const auto r = std::equal_range(keys.begin(), keys.end(), key);
    return {uint32_t(r.first - keys.begin()), uint32_t(r.second - keys.begin())};
  }
  size_t memory_bytes() const { return keys.size() * 8 + ids.size() * 4; }
  // fn(key, begin, end) for every bucket (run of equal keys), in key order.
  template <class Fn>
  void for_each_bucket(Fn fn) const {
    for (size_t b = 0; b < keys.size();) {
      size_t e = b + 1;
      while (e < keys.size() && keys[e] == keys[b]) ++e;
      fn(keys[b], b, e);
      b = e;
    }
  }
  // For explain: every point's key (point_keys sized to the number of points) and every bucket,
  // labelled as table t.
  void explain(uint32_t t, std::vector<uint64_t>* point_keys, std::vector<Bucket>* buckets) const {
    for (size_t p = 0; p < ids.size(); ++p) (*point_keys)[ids[p]] = keys[p];
    for_each_bucket([&](uint64_t key, size_t b, size_t e) { buckets->push_back({t, key, uint32_t(e - b)}); });
  }
  void save(BinaryWriter& w) const {
    w.array(keys);
    w.array(ids);
  }
  // Reads a table of n entries; keys must fit key_mask; ids a permutation of 0..n-1; sorted.
  Status load(BinaryReader& r, size_t n, uint64_t key_mask, const char* what) {
    const uint64_t limit = r.remaining();
    ANNLAB_TRY(r.array(&keys, cat(what, " table keys").c_str(), limit));
    ANNLAB_TRY(r.array(&ids, cat(what, " table ids").c_str(), limit));
    if (keys.size() != n || ids.size() != n)
      return r.error(cat(what, " table holds ", keys.size(), " keys and ", ids.size(), " ids, expected ", n));
    std::vector<uint8_t> seen(n, 0);
    for (size_t p = 0; p < n; ++p) {
      if (keys[p] & ~key_mask) return r.error(cat(what, " bucket key ", keys[p], " has bits beyond the key's width"));
      if (ids[p] >= n || seen[ids[p]]++)
        return r.error(cat(what, " table ids are not a permutation of 0..", n - 1, " (id ", ids[p], ")"));
      if (p && (keys[p] < keys[p - 1] || (keys[p] == keys[p - 1] && ids[p] < ids[p - 1])))
        return r.error(cat(what, " table is not sorted at entry ", p));
    }
    return Status::ok();
  }
};

}  // namespace annlab::detail
