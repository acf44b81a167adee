#include "annlab/memory.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#if defined(__EMSCRIPTEN__)
#include <emscripten/heap.h>
#include <malloc.h>
#endif

namespace annlab {

namespace {

std::string human_bytes(uint64_t b) {
  char buf[64];
  if (b >= 1000000) std::snprintf(buf, sizeof buf, "%.1f MB", double(b) / 1e6);
  else if (b >= 1000) std::snprintf(buf, sizeof buf, "%.1f KB", double(b) / 1e3);
  else std::snprintf(buf, sizeof buf, "%llu bytes", (unsigned long long)b);
  return buf;
}

struct Limit {
  Limit() {
    if (const char* env = std::getenv("ANNLAB_MEMORY_LIMIT")) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(env, &end, 10);
      if (end && *end == '\0' && v > 0) {
        set = true;
        bytes = size_t(v);
      }
    }
  }
  std::mutex mu;
  bool set = false;
  size_t bytes = 0;
};

Limit& limit() {
  static Limit l;
  return l;
}

}  // namespace

Result<uint64_t> checked_bytes(std::string_view what, uint64_t n, uint64_t m, uint64_t k) {
  uint64_t a, b;
  if (__builtin_mul_overflow(n, m, &a) || __builtin_mul_overflow(a, k, &b))
    return Status::error(cat(what, ": ", n, " x ", m, " x ", k, " bytes overflows 64 bits"));
  return b;
}

void set_memory_limit(std::optional<size_t> bytes) {
  Limit& l = limit();
  std::lock_guard<std::mutex> g(l.mu);
  l.set = bytes.has_value();
  l.bytes = bytes.value_or(0);
}

std::optional<size_t> memory_available() {
  std::optional<size_t> avail;
#if defined(__EMSCRIPTEN__)
  const size_t max = emscripten_get_heap_max();
  const size_t heap = emscripten_get_heap_size();
  const struct mallinfo mi = mallinfo();
  // Free space inside the current heap, plus what the heap may still grow by.
  const size_t free_inside = size_t(mi.fordblks);
  avail = (max > heap ? max - heap : 0) + free_inside;
#endif
  Limit& l = limit();
  std::lock_guard<std::mutex> g(l.mu);
  if (l.set && (!avail || l.bytes < *avail)) avail = l.bytes;
  return avail;
}

Status check_memory_for(std::string_view what, uint64_t n, uint64_t m, uint64_t k, std::string_view purpose) {
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes(what, n, m, k));
  return check_memory(purpose, bytes);
}

Status check_memory(std::string_view what, uint64_t bytes) {
  auto avail = memory_available();
  if (!avail && bytes > uint64_t(SIZE_MAX)) avail = SIZE_MAX;  // more than this build can address
  if (avail && bytes > uint64_t(*avail))
    return Status::error(cat(what, " needs ", human_bytes(bytes), ", ", human_bytes(*avail), " available"));
  return Status::ok();
}

}  // namespace annlab
