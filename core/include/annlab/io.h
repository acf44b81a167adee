// annlab/io.h — reading and writing vector files.
//
// Every parser works on bytes in memory (so it can be fuzzed) and reports errors as
// "<file>: offset <byte> (vector <i>): <what>, expected <x>, found <y>" or, for text,
// "<file>:<line>: <what>". Formats:
//   .fvecs / .ivecs / .bvecs  per vector: int32 d, then d float32 / int32 / uint8 (little-endian)
//   .npy                      NumPy 2-D (n, d) or 3-D (n, h, w) array, '<f4' or '|u1', C order
//   .csv                      one vector per line, comma-separated numbers, optional header row
//   .alds                     annlab's dataset format (docs/formats.md): bytes or floats + labels
// NaN and infinite components are rejected by every loader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab {

// Reads a whole file; the error names the file and the OS reason.
Result<std::vector<uint8_t>> read_file(const std::string& path);
Status write_file(const std::string& path, const void* data, size_t size);
// SHA-256 of bytes / of a whole file, as 64 lowercase hex digits.
std::string sha256_hex(const void* data, size_t size);
Result<std::string> file_sha256(const std::string& path);

// Parsers of in-memory bytes; `name` is used in messages.
Result<Dataset> parse_fvecs(std::string_view name, const uint8_t* data, size_t size);
Result<Dataset> parse_bvecs(std::string_view name, const uint8_t* data, size_t size);
// .ivecs as vectors (components converted to float; each must be exactly representable).
Result<Dataset> parse_ivecs_vectors(std::string_view name, const uint8_t* data, size_t size);
// .ivecs as an integer matrix (ground-truth or result ids).
Result<IntMatrix> parse_ivecs(std::string_view name, const uint8_t* data, size_t size);
Result<Dataset> parse_npy(std::string_view name, const uint8_t* data, size_t size);
Result<Dataset> parse_csv(std::string_view name, const uint8_t* data, size_t size);
Result<Dataset> parse_alds(std::string_view name, const uint8_t* data, size_t size);

// Loads vectors by file extension (.fvecs .ivecs .bvecs .npy .csv .alds); parse_vectors: the same
// from bytes in memory, the extension taken from `name`.
Result<Dataset> load_vectors(const std::string& path);
Result<Dataset> parse_vectors(std::string_view name, const uint8_t* data, size_t size);
Result<IntMatrix> load_ivecs(const std::string& path);

// A labels file, by extension: .ivecs of d = 1, .npy of an integer type shaped (n,) or (n, 1),
// .csv / .txt of one label per line (a first line that is not a number is a header). Labels are
// whole numbers 0..2^31-1; errors name the offset or line.
Result<std::vector<int32_t>> parse_labels(std::string_view name, const uint8_t* data, size_t size);
Result<std::vector<int32_t>> load_labels(const std::string& path);

// Serialises to bytes / writes files.
std::vector<uint8_t> to_fvecs(const VectorView& x);
std::vector<uint8_t> to_ivecs(const IntMatrix& m);
std::vector<uint8_t> to_alds(const Dataset& ds);
Status save_fvecs(const std::string& path, const VectorView& x);
Status save_ivecs(const std::string& path, const IntMatrix& m);
Status save_alds(const std::string& path, const Dataset& ds);

// The .alds format: header magic and the version this build writes and reads.
inline constexpr char kAldsMagic[8] = {'A', 'N', 'N', 'L', 'A', 'B', 'D', 'S'};
inline constexpr uint32_t kAldsVersion = 1;

}  // namespace annlab
