// annlab/index_io.h — annlab's index file: versioned, checksummed, checked on load.
//
// Layout (little-endian), documented in docs/formats.md:
//   0   "ANNLABIX"            magic
//   8   u32 format version    kIndexFormatVersion
//   12  u32 flags             0
//   16  u64 dim
//   24  u64 vectors           size() of the saved index
//   32  u32 len + bytes       the factory description ("LSH12x8")
//   ..  u64 payload size, payload (written by the index's Serializable::save_payload)
//   ..  u32 CRC-32 of every byte before it
// Loading checks magic, version, sizes, checksum and that the payload is read exactly.
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
inline constexpr uint32_t kIndexFormatVersion = 1;

Result<std::vector<uint8_t>> serialize_index(const Index& index);
Result<std::unique_ptr<Index>> deserialize_index(std::string_view name, const uint8_t* data, size_t size);
Status save_index(const Index& index, const std::string& path);
Result<std::unique_ptr<Index>> load_index(const std::string& path);

}  // namespace annlab
