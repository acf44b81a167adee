// annlab/index_io.h — annlab's index file: versioned, checksummed, checked on load.
//
// Layout (little-endian), documented in docs/formats.md:
//   0   "ANNLABIX"            magic
//   8   u32 format version    kIndexFormatVersion
//   12  u32 flags             bit 0: the index re-ranks with base vectors the file only names
//                             (n, d, sha256), to be given when loading (format 2)
//   16  u64 dim
//   24  u64 vectors           size() of the saved index
//   32  u32 len + bytes       the factory description ("LSH12x8")
//   ..  u64 payload size, payload (written by the index's Serializable::save_payload)
//   ..  u32 CRC-32 of every byte before it
// Loading checks magic, version, sizes, checksum and that the payload is read exactly. Format 1
// files (every index held its own vectors) load unchanged.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/index.h"
#include "annlab/status.h"

namespace annlab {

inline constexpr char kIndexMagic[8] = {'A', 'N', 'N', 'L', 'A', 'B', 'I', 'X'};
inline constexpr uint32_t kIndexFormatVersion = 2;
inline constexpr uint32_t kIndexFlagRefersToBase = 1;

// An index that shares its base vectors (Refinable::share_base) is written with only their n, d
// and sha256 unless embed_base, which writes them in (a standalone file); an index holding its own
// vectors always writes them.
Result<std::vector<uint8_t>> serialize_index(const Index& index, bool embed_base = false);
// `base`: the base vectors a file may refer to (checked by n, d and sha256). Errors: a file that
// refers to base vectors and none or other ones are given, and every corruption.
Result<std::unique_ptr<Index>> deserialize_index(std::string_view name, const uint8_t* data, size_t size,
                                                 std::shared_ptr<const VectorStore> base = nullptr);
Status save_index(const Index& index, const std::string& path, bool embed_base = false);
Result<std::unique_ptr<Index>> load_index(const std::string& path, std::shared_ptr<const VectorStore> base = nullptr);

}  // namespace annlab
