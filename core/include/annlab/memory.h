// annlab/memory.h — memory budget checks before large allocations.
//
// Sizes are computed with overflow-checked arithmetic, then compared with what is available: in
// WebAssembly the heap's maximum (4 GiB) minus what is in use; natively, a cap on any one request
// set with set_memory_limit (tests) or the ANNLAB_MEMORY_LIMIT environment variable (bytes), else
// none (the operating system decides).
// A refusal says how much is needed and how much there is, so nothing is half-loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "annlab/status.h"

namespace annlab {

// n * m * k bytes, or an error naming `what` when it overflows 64 bits. (It may exceed the address
// space of a 32-bit build: check_memory then refuses it with the size.)
Result<uint64_t> checked_bytes(std::string_view what, uint64_t n, uint64_t m, uint64_t k = 1);
// Bytes that can still be allocated, or nullopt when there is no known limit.
std::optional<size_t> memory_available();
// Sets (or with nullopt, clears) the cap on any one request.
void set_memory_limit(std::optional<size_t> bytes);
// Ok when `bytes` more fit; otherwise "<what> needs X MB, Y MB available".
Status check_memory(std::string_view what, uint64_t bytes);
// checked_bytes(what, n, m, k) then check_memory(purpose, ...) as one Status (for coroutines,
// which cannot use ANNLAB_ASSIGN_OR_RETURN).
Status check_memory_for(std::string_view what, uint64_t n, uint64_t m, uint64_t k, std::string_view purpose);

}  // namespace annlab
