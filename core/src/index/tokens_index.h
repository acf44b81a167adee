// Private header (core/src/index): "LSH tokens" scored like a search engine's more-like-this query:
// "Tokens<g>x<m>".
//
// The d dimensions are cut into g sub-vectors (d / g each); k-means with m centroids in each
// sub-space turns a vector into g tokens, token (j, c) = "sub-space j, centroid c" — g of the
// g * m possible words, one per sub-space. An inverted index maps each token to the ids holding
// it. A query is hashed the same way and its tokens become the terms of a more-like-this query:
//   terms with a document frequency below `min_doc_freq` are dropped, the rest ranked by weight
//   (the rarest first) and the best `max_query_terms` kept; every document sharing a kept term is
//   a candidate, scored by the sum of the weights of the terms it shares:
//   scoring=tfidf (Lucene's classic similarity; tf = 1, all documents have g terms so the length
//     norm is a constant):   weight(t) = idf(t)^2,  idf(t) = 1 + ln(N / (df(t) + 1))
//   scoring=bm25 (the default; k1 = 1.2, b = 0.75, tf = 1, dl = avgdl = g):
//     weight(t) = idf(t) * (k1 + 1) / (1 + k1),  idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
// `label` keeps only documents with that label (a filter clause: it never adds a document);
// The answer is the score order and its values are the scores; the exact `rerank` of the
// best-scored candidates is the wrapper around it (index/refine_index.h).
//   g: more sub-spaces, more terms per document, finer similarity, longer posting walks.
//   m: more centroids per sub-space, rarer tokens, fewer but better candidates.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/index.h"
#include "annlab/params.h"
#include "annlab/vector_store.h"
#include "parts/pq.h"

namespace annlab {

class TokensIndex final : public Index, public Explainable, public Serializable, public Filterable {
 public:
  static constexpr size_t kMaxCentroids = 65536;  // tokens are stored as 16-bit centroid numbers
  TokensIndex(size_t d, size_t g, size_t m, const BuildParams& params);

  size_t size() const override { return g_ ? tokens_.size() / g_ : 0; }
  std::string describe() const override { return cat("Tokens", g_, "x", m_); }
  bool is_trained() const override { return pq_.trained(); }
  Status train(const VectorView& x) override { return train_task(x).run(); }
  TrainTask train_task(VectorView x) override;
  Status add(const VectorView& x) override;
  size_t memory_bytes() const override;
  Status check_search_params(const SearchParams& p) const override;
  // The answer is in score order and its values are the scores.
  DistanceKind distance_kind(const SearchParams&) const override { return DistanceKind::Score; }

  size_t groups() const { return g_; }
  size_t centroids_per_group() const { return m_; }
  // Labels of the indexed vectors, for the `label` filter; error when the count is not size().
  // Vectors added later get label -1 until labels are set again.
  Status set_labels(std::vector<int32_t> labels) override;
  const std::vector<int32_t>& labels() const { return labels_; }
  bool has_labels() const { return has_labels_; }
  // The g tokens (centroid numbers, one per sub-space) of x (d floats).
  void tokenize(const float* x, uint16_t* tokens) const;
  const std::vector<uint16_t>& tokens() const { return tokens_; }  // size() * g
  // Documents holding centroid c of sub-space j.
  size_t doc_freq(size_t j, size_t c) const { return offsets_[j * m_ + c + 1] - offsets_[j * m_ + c]; }
  // The weight a shared term (df documents of N) adds to a score under `scoring`.
  static double term_weight(bool bm25, size_t df, size_t n_docs, size_t g);

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, const SearchParams& p, std::vector<float>& acc,
                  std::vector<uint32_t>& touched, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const;
  void rebuild_postings();
  size_t g_, m_, dsub_;
  BuildParams params_;
  ProductQuantizer pq_;            // g sub-spaces of m centroids: the tokens are its 16-bit codes
  std::vector<uint16_t> tokens_;   // n * g
  std::vector<int32_t> labels_;    // n (-1 = none)
  bool has_labels_ = false;
  std::vector<uint32_t> offsets_;  // g * m + 1: postings of token (j, c) at [offsets_[j m + c], offsets_[j m + c + 1])
  std::vector<uint32_t> postings_; // ids, increasing within each token
};

}  // namespace annlab
