// app/export.h — what the lab writes out: the map as a PNG, the results table as CSV.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query_inspector.h"

namespace annlab::app {

// An 8-bit RGBA image (rows top first, width * height * 4 bytes) as a PNG file. The pixels are
// stored uncompressed (zlib "stored" blocks): every PNG reader reads it, and the lab needs no
// compression library.
std::vector<uint8_t> encode_png(int width, int height, const std::vector<uint8_t>& rgba);
// CRC-32 (as PNG and zlib use it) and Adler-32, exposed for the tests.
uint32_t crc32_of(const uint8_t* data, size_t n, uint32_t crc = 0);
uint32_t adler32_of(const uint8_t* data, size_t n);

// The results table as CSV: a header line, then one line per rank with the exact neighbour
// (id, squared distance, found by the method?) and the method's answer (id, the distance it
// reports, the exact squared distance, a true neighbour?). `query` and `index` are repeated on
// every line so rows of several exports can be concatenated.
std::string results_csv(const Results& r, const std::string& query, const std::string& index);

}  // namespace annlab::app
