// SHA-256 (core/src/parts/sha256.cpp) against FIPS 180-4's test vectors: index files name their
// base vectors by it, natively and in WebAssembly.
#include "parts/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace annlab {
namespace {

std::string sha(const std::string& s, size_t chunk = 0) {
  detail::Sha256 h;
  if (chunk == 0) {
    h.update(s.data(), s.size());
  } else {
    for (size_t i = 0; i < s.size(); i += chunk) h.update(s.data() + i, std::min(chunk, s.size() - i));
  }
  return detail::Sha256::hex(h.digest());
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, AnyChunkingGivesTheSameDigest) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s += char(i * 37 + 11);
  const std::string whole = sha(s);
  for (size_t chunk : {1, 3, 55, 56, 63, 64, 65, 127, 999}) EXPECT_EQ(sha(s, chunk), whole) << chunk;
}

}  // namespace
}  // namespace annlab
