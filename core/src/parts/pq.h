// Private header (core/src/parts): product quantization, the codec (ProductQuantizer) used by PQ,
// IVF-PQ, OPQ and LOPQ, and OPQ's rotation.
//
// The d dimensions are cut into M sub-vectors; each sub-space gets its own k-means codebook of 256
// centroids, so a vector becomes M bytes. A query is compared with every code through Asymmetric
// Distance Computation: a table of the M x 256 squared distances from the query's sub-vectors to
// the codebooks, summed over the code's M entries. `rerank` re-ranks that many of the best
// candidates with the exact distance.
//   M: more sub-quantizers, finer codes (M bytes per vector), better recall, slower tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "annlab/index.h"
#include "annlab/vector_store.h"

namespace annlab {

// M sub-quantizers of `ksub` centroids each: 256 for byte codes (PQ, IVF-PQ, OPQ, LOPQ and their
// ADC tables), any number up to 65,536 for Tokens' 16-bit tokens.
class ProductQuantizer {
 public:
  static constexpr size_t kCentroids = 256;  // byte codes: what encode() and the ADC tables use
  ProductQuantizer(size_t d, size_t m, size_t ksub = kCentroids) : d_(d), m_(m), dsub_(m ? d / m : 0), ksub_(ksub) {}
  size_t d() const { return d_; }
  size_t m() const { return m_; }
  size_t ksub() const { return ksub_; }
  size_t dsub() const { return dsub_; }
  bool trained() const { return !codebooks_.empty(); }
  // Trains the M codebooks on x (n >= ksub rows of floats, n * d); sub-space j's k-means draws
  // from seed + j. `what` names the method in messages and progress ("PQ16" by default).
  Status train(const float* x, size_t n, uint64_t seed, int iterations = 20) {
    return train_task(x, n, seed, iterations).run();
  }
  // The same, one k-means step at a time (x must outlive the task).
  TrainTask train_task(const float* x, size_t n, uint64_t seed, int iterations = 20, std::string what = {});
  // Codes of n vectors (n * d floats) into n * M bytes (ksub <= 256).
  void encode(const float* x, size_t n, uint8_t* codes) const;
  // The same into n * M 16-bit codes (any ksub).
  void encode_wide(const float* x, size_t n, uint16_t* codes) const;
  // Codebooks read elsewhere (M * ksub * dsub floats; the caller checks the size).
  void set_codebooks(std::vector<float> books) { codebooks_ = std::move(books); }
  // The vector a code stands for (d floats).
  void decode(const uint8_t* code, float* out) const;
  // The M x 256 table of squared distances from q's sub-vectors to the codebooks.
  void distance_table(const float* q, float* table) const;
  // Sum of a code's M table entries (the ADC distance): four partial sums over j mod 4, added
  // in a fixed order (the same in every build), so the lookups overlap instead of waiting on
  // one running sum.
  float adc(const float* table, const uint8_t* code) const {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= m_; j += 4) {
      s0 += table[j * kCentroids + code[j]];
      s1 += table[(j + 1) * kCentroids + code[j + 1]];
      s2 += table[(j + 2) * kCentroids + code[j + 2]];
      s3 += table[(j + 3) * kCentroids + code[j + 3]];
    }
    for (; j < m_; ++j) s0 += table[j * kCentroids + code[j]];
    return (s0 + s1) + (s2 + s3);
  }
  // adc() of nb consecutive codes into out, with M known at compile time for the common M (4, 8,
  // 16, 32, 64: the lookups unrolled with constant offsets); the same sums, in the same order.
  void adc_block(const float* table, const uint8_t* codes, size_t nb, float* out) const;
  const std::vector<float>& codebooks() const { return codebooks_; }  // M * ksub * dsub
  void save(BinaryWriter& w) const;
  Status load(BinaryReader& r);

 private:
  template <class Code>
  void encode_codes(const float* x, size_t n, Code* codes) const;
  size_t d_, m_, dsub_, ksub_;
  std::vector<float> codebooks_;
};

// adc_block, inline so that the scans of PQ and IVF-PQ (other files) unroll it: M known at compile
// time for the common M, the same sums in the same order as adc().
template <size_t M>
inline void pq_adc_fixed(const float* table, const uint8_t* codes, size_t nb, float* out) {
  constexpr size_t K = ProductQuantizer::kCentroids;
  for (size_t i = 0; i < nb; ++i) {
    const uint8_t* c = codes + i * M;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t j = 0; j + 4 <= M; j += 4) {
      s0 += table[j * K + c[j]];
      s1 += table[(j + 1) * K + c[j + 1]];
      s2 += table[(j + 2) * K + c[j + 2]];
      s3 += table[(j + 3) * K + c[j + 3]];
    }
    out[i] = (s0 + s1) + (s2 + s3);
  }
}

inline void ProductQuantizer::adc_block(const float* table, const uint8_t* codes, size_t nb, float* out) const {
  switch (m_) {
    case 4: return pq_adc_fixed<4>(table, codes, nb, out);
    case 8: return pq_adc_fixed<8>(table, codes, nb, out);
    case 16: return pq_adc_fixed<16>(table, codes, nb, out);
    case 32: return pq_adc_fixed<32>(table, codes, nb, out);
    case 64: return pq_adc_fixed<64>(table, codes, nb, out);
    default:
      for (size_t i = 0; i < nb; ++i) out[i] = adc(table, codes + i * m_);
  }
}


// OPQ's rotation (d x d, row-major, z = R x) for an M-sub-vector PQ, learned on x (n x d floats):
// starting from a seeded random rotation, `iterations` rounds of (train the PQ on X R^T, encode,
// decode to Y, R = Procrustes(X^T Y)). Reports the PQ's mean squared error after each round.
struct OpqTraining {
  std::vector<float> rotation;
  std::vector<double> mse;  // per round, of the PQ trained in that round
};
Result<OpqTraining> train_opq_rotation(const float* x, size_t n, size_t d, size_t m, uint64_t seed,
                                       int iterations = 8);
TrainTask train_opq_rotation_task(const float* x, size_t n, size_t d, size_t m, uint64_t seed, int iterations,
                                  OpqTraining* out);

// out (n x d) = rows of x (n x d floats) multiplied by R^T (d x d): out_i = R x_i, with annlab's
// exact kernels (the same floats in every build).
void rotate_rows(const float* r, size_t d, const float* x, size_t n, float* out);

}  // namespace annlab
