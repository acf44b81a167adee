#include "parts/bit_planes.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "annlab/distance.h"
#include "parts/topk.h"

#if defined(ANNLAB_HAVE_SIMD128)
#include <wasm_simd128.h>
#endif

namespace annlab {

BitPlanes::BitPlanes(size_t bits) : bits_(bits), stride_((bits + kPopPlanes) * 2) {}

void BitPlanes::append(const uint64_t* codes, size_t n, size_t words) {
  const size_t blocks = (n_ + n + kLanes - 1) / kLanes;
  data_.resize(blocks * stride_, 0);
  for (size_t i = 0; i < n; ++i, ++n_) {
    uint64_t* block = data_.data() + (n_ / kLanes) * stride_;
    const size_t half = (n_ % kLanes) / 64;
    const uint64_t lane_bit = uint64_t{1} << (n_ % 64);
    size_t pop = 0;
    for (size_t w = 0; w < words; ++w)
      for (uint64_t x = codes[i * words + w]; x; x &= x - 1, ++pop) {
        const size_t k = w * 64 + size_t(std::countr_zero(x));
        block[k * 2 + half] |= lane_bit;
      }
    for (size_t j = 0; j < kPopPlanes; ++j)
      if ((pop >> j) & 1) block[(bits_ + j) * 2 + half] |= lane_bit;
  }
}

namespace {

// Two 64-bit words per vector: lanes 0..63 in a, 64..127 in b.
struct PortableOps {
  struct V {
    uint64_t a, b;
  };
  static V zero() { return {0, 0}; }
  static V load(const uint64_t* p) { return {p[0], p[1]}; }
  static void store(uint64_t* p, V v) { p[0] = v.a, p[1] = v.b; }
  static V bxor(V x, V y) { return {x.a ^ y.a, x.b ^ y.b}; }
  static V band(V x, V y) { return {x.a & y.a, x.b & y.b}; }
  static V bor(V x, V y) { return {x.a | y.a, x.b | y.b}; }
  static V andnot(V x, V y) { return {x.a & ~y.a, x.b & ~y.b}; }  // x & ~y
  static bool any(V v) { return (v.a | v.b) != 0; }
};

#if defined(ANNLAB_HAVE_SIMD128)
struct Simd128Ops {
  using V = v128_t;
  static V zero() { return wasm_i64x2_splat(0); }
  static V load(const uint64_t* p) { return wasm_v128_load(p); }
  static void store(uint64_t* p, V v) { wasm_v128_store(p, v); }
  static V bxor(V x, V y) { return wasm_v128_xor(x, y); }
  static V band(V x, V y) { return wasm_v128_and(x, y); }
  static V bor(V x, V y) { return wasm_v128_or(x, y); }
  static V andnot(V x, V y) { return wasm_v128_andnot(x, y); }  // x & ~y
  static bool any(V v) { return wasm_v128_any_true(v); }
};
#endif

alignas(16) constexpr uint64_t kAllOnes[2] = {~uint64_t{0}, ~uint64_t{0}};

// Carry-save adder: a + b + c = 2 * hi + lo, lane by lane.
template <class O, class V = typename O::V>
inline void csa(V& hi, V& lo, V a, V b, V c) {
  const V u = O::bxor(a, b);
  hi = O::bor(O::band(a, b), O::band(u, c));
  lo = O::bxor(u, c);
}

// The Hamming distance without a per-plane XOR with the query: with Q the query's set bits and
// pop(c) the code's popcount (stored bit-sliced after its planes),
//   d(q, c) = |Q| + pop(c) - 2 S1,  S1 = the sum of c's bits over Q,        or equally
//   d(q, c) = |Q| - pop(c) + 2 S0,  S0 = the sum of c's bits outside Q,
// so only the planes of the smaller of Q and its complement are read: at most half of them.
//
// scan_block does one block of 128 codes. S = the sum of the m planes at byte offsets off[0..m):
// four planes per step, three carry-save adders giving a weight-4 carry rippled into an L-plane
// counter (S = ones + 2 twos + 4 c). A step rather than a 16-plane Harley-Seal tree: LLVM hoists
// every load of a straight-line body to its start, and with 32 loads V8 spilled most of them to
// the stack; 4 loads per step stay in registers. Then Y = d - |Q| (Side 1: pop - 2 S; Side 0:
// 2 S - pop) offset by 2^(W-1) into W = L + 4 unsigned bits, and the lanes with Y < T = bound - |Q|. L, W and Side are template arguments, so that every vector
// lives in a register and every loop over planes is unrolled.
// Returns whether any lane of `valid` is a candidate (all of them when !full) and then stores the
// candidates' mask in cm and Y's planes in yw.
template <class O, size_t L, bool Side>
[[gnu::always_inline]] inline bool scan_block(const uint64_t* p, size_t bits, const uint32_t* off, size_t m, const uint64_t* valid,
                const uint64_t* tm, uint64_t (*yw)[2], uint64_t* cm) {
  using V = typename O::V;
  constexpr size_t W = L + 4;
  V ones = O::zero(), twos = O::zero();
  V c[L];
  for (size_t l = 0; l < L; ++l) c[l] = O::zero();
  auto step = [&](V d0, V d1, V d2, V d3) {
    V twos_a, twos_b, carry;
    csa<O>(twos_a, ones, ones, d0, d1);
    csa<O>(twos_b, ones, ones, d2, d3);
    csa<O>(carry, twos, twos, twos_a, twos_b);
    for (size_t l = 0; l < L; ++l) {
      const V u = O::band(c[l], carry);
      c[l] = O::bxor(c[l], carry);
      carry = u;
    }
  };
  // off holds byte offsets, walked by pointer: a plane costs an offset load, an add, a vector load.
  const char* base = reinterpret_cast<const char*>(p);
  auto at = [&](uint32_t o) { return O::load(reinterpret_cast<const uint64_t*>(base + o)); };
  const uint32_t* o = off;
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (const uint32_t* end = off + (m & ~size_t{3}); o != end; o += 4) step(at(o[0]), at(o[1]), at(o[2]), at(o[3]));
  if (const size_t r = m & 3) step(at(o[0]), r > 1 ? at(o[1]) : O::zero(), r > 2 ? at(o[2]) : O::zero(), O::zero());
  // 2 S, plane by plane: 0, ones, twos, c[0], ..., c[L-1]; W = L + 4 planes with a zero on top.
  V two_s[W];
  two_s[0] = O::zero(), two_s[1] = ones, two_s[2] = twos;
  for (size_t l = 0; l < L; ++l) two_s[3 + l] = c[l];
  two_s[W - 1] = O::zero();
  // Y' = Y + 2^(W-1) = X + 2^(W-1) - Z (X's top plane, zero, set to all ones; no borrow out):
  // diff = x ^ z ^ borrow, borrow' = (z & ~x) | (borrow & ~(x ^ z)). No NOT anywhere: V8 lowers
  // v128.not to two instructions.
  const uint64_t* pop = p + bits * 2;
  V y[W], borrow = O::zero();
  for (size_t j = 0; j < W; ++j) {
    const V pj = O::load(pop + 2 * j);  // planes past the popcount's width are stored zero
    const V x = j == W - 1 ? O::load(kAllOnes) : Side ? pj : two_s[j];
    const V z = Side ? two_s[j] : pj;
    const V u = O::bxor(x, z);
    y[j] = O::bxor(u, borrow);
    borrow = O::bor(O::andnot(z, x), O::andnot(borrow, u));
  }
  V cand = O::load(valid);
  if (tm) {
    // Y' < T' lane by lane: the borrow out of Y' - T', T' one all-ones or all-zeros mask per bit.
    V lt = O::zero();
    for (size_t k = 0; k < W; ++k) {
      const V tk = O::load(tm + 2 * k);
      lt = O::bor(O::andnot(tk, y[k]), O::andnot(lt, O::bxor(y[k], tk)));
    }
    cand = O::band(lt, cand);
    if (!O::any(cand)) return false;
  }
  O::store(cm, cand);
  for (size_t k = 0; k < W; ++k) O::store(yw[k], y[k]);
  return true;
}

// The block loop and the selection, one instantiation per (L, Side) so that scan_block inlines.
template <class O, size_t L, bool Side>
void rank(const uint64_t* data, size_t stride, size_t bits, size_t n, const uint32_t* off, size_t m, size_t qpop,
          size_t cap, std::vector<int64_t>* out) {
  constexpr size_t w = L + 4;
  constexpr int64_t half = int64_t{1} << (w - 1);
  detail::HammingHeap top(cap);
  uint32_t tm_bound = UINT32_MAX;
  alignas(16) uint64_t yw[w][2], cm[2], tm[2 * w];
  for (size_t b0 = 0; b0 < n; b0 += BitPlanes::kLanes) {
    const size_t lanes = std::min(BitPlanes::kLanes, n - b0);
    alignas(16) const uint64_t valid[2] = {
        lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1,
        lanes >= 128 ? ~uint64_t{0} : lanes > 64 ? (uint64_t{1} << (lanes - 64)) - 1 : 0};
    const bool full = top.full();
    if (full && top.bound() != tm_bound) {  // T' = bound - |Q| + 2^(W-1), one mask per bit
      const uint64_t t = uint64_t(int64_t(top.bound()) - int64_t(qpop) + half);
      for (size_t k = 0; k < w; ++k) tm[2 * k] = tm[2 * k + 1] = (t >> k) & 1 ? ~uint64_t{0} : 0;
      tm_bound = top.bound();
    }
    if (!scan_block<O, L, Side>(data + (b0 / BitPlanes::kLanes) * stride, bits, off, m, valid, full ? tm : nullptr,
                                yw, cm))
      continue;
    for (size_t h = 0; h < 2; ++h)
      for (uint64_t mask = cm[h]; mask; mask &= mask - 1) {
        const int bit = std::countr_zero(mask);
        int64_t yv = 0;  // Y' = d - |Q| + 2^(W-1)
        for (size_t k = 0; k < w; ++k) yv |= int64_t((yw[k][h] >> bit) & 1) << k;
        top.push(uint32_t(int64_t(qpop) + yv - half), b0 + h * 64 + size_t(bit));
      }
  }
  top.take(out);
}

template <class O>
using RankFn = void (*)(const uint64_t*, size_t, size_t, size_t, const uint32_t*, size_t, size_t, size_t,
                        std::vector<int64_t>*);

template <class O, size_t... L>
RankFn<O> rank_fn(size_t levels, bool side, std::index_sequence<L...>) {
  RankFn<O> f = nullptr;
  ((f = levels == L + 1 ? (side ? &rank<O, L + 1, true> : &rank<O, L + 1, false>) : f), ...);
  return f;
}

template <class O>
void smallest_impl(const uint64_t* data, size_t stride, size_t bits, size_t n, const uint64_t* q, size_t cap,
                   std::vector<int64_t>* out) {
  cap = std::min(cap, n);
  out->clear();
  if (cap == 0) return;
  size_t qpop = 0;
  for (size_t k = 0; k < bits; ++k) qpop += (q[k / 64] >> (k % 64)) & 1;
  const bool side = 2 * qpop <= bits;  // true: sum over Q; false: over its complement
  std::vector<uint32_t> off;
  off.reserve(bits / 2 + 1);
  for (size_t k = 0; k < bits; ++k)
    if (bool((q[k / 64] >> (k % 64)) & 1) == side) off.push_back(uint32_t(16 * k));  // bytes
  const size_t m = off.size();  // <= 512
  // The counter must hold m / 4 (S <= m) and 2 S and pop(c) <= bits must fit below 2^(L+3).
  const size_t bw = size_t(std::bit_width(bits));
  const size_t levels = std::max({size_t{1}, size_t(std::bit_width((m + 3) / 4)), bw > 3 ? bw - 3 : 0});
  // levels <= 8, so W = levels + 4 <= 12 = BitPlanes::kPopPlanes.
  rank_fn<O>(levels, side, std::make_index_sequence<8>())(data, stride, bits, n, off.data(), m, qpop, cap, out);
}

}  // namespace

void BitPlanes::smallest_portable(const uint64_t* q, size_t cap, std::vector<int64_t>* out) const {
  smallest_impl<PortableOps>(data_.data(), stride_, bits_, n_, q, cap, out);
}

void BitPlanes::smallest(const uint64_t* q, size_t cap, std::vector<int64_t>* out) const {
#if defined(ANNLAB_HAVE_SIMD128)
  if (simd_level() == SimdLevel::WasmSimd128) return smallest_impl<Simd128Ops>(data_.data(), stride_, bits_, n_, q, cap, out);
#endif
  smallest_portable(q, cap, out);
}

}  // namespace annlab
