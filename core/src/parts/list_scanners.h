// Private header (core/src/parts): what an inverted file's lists hold and how a query is compared
// with them — one list scanner per kind of list:
//   FlatScanner        the vectors themselves (bytes when they arrive as bytes, else floats):
//                      exact distances (IVF<nlist>,Flat);
//   PqResidualScanner  PQ codes of the residual to the cell's centroid, compared through a
//                      per-cell table built from a per-query term and terms precomputed from the
//                      centroids and codebooks, FAISS's "precomputed tables" (IVF<nlist>,PQ<M>);
//   LocalPqScanner     PQ codes of the residual rotated into the cell's principal axes, one
//                      rotation per cell (LOPQ<nlist>,PQ<M>): the eigenvalue allocation of the seed
//                      slides, codebooks shared by every cell (the LOPQ paper's "LOR+PQ").
// The inverted file (index/ivf_index.h) owns the lists (ids, bytes, floats per cell) and the
// router; a scanner owns what it learned (codebooks, tables, rotations) and fills and reads the
// bytes and floats of each list.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/train_task.h"
#include "parts/pq.h"
#include "parts/topk.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;

// The lists of an inverted file: cell c's entries are ids[c], with their bytes and floats (what
// a scanner stores per entry).
struct InvertedLists {
  explicit InvertedLists(size_t nlist) : ids(nlist), bytes(nlist), floats(nlist) {}
  DType dtype = DType::U8;  // of the added vectors (FlatScanner keeps bytes while they are bytes)
  std::vector<std::vector<int64_t>> ids;
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<std::vector<float>> floats;
  size_t memory_bytes() const;
};

class ListScanner {
 public:
  virtual ~ListScanner() = default;
  // PQ's M (0 for Flat): what the index file and the factory string call it.
  virtual size_t code_m() const = 0;
  // True when the lists hold residuals' codes (training and adding then need the cell's centroid).
  virtual bool codes_residuals() const = 0;
  // Exact distances: every entry compared is a full-precision distance.
  virtual bool exact() const = 0;
  virtual bool trained() const = 0;
  // Learns from n training residuals r (n x d, rotated in place where the scanner rotates) and
  // their cells; a no-op for Flat.
  virtual TrainTask train_task(float* r, const int32_t* cell, size_t n, size_t nlist, uint64_t seed) = 0;
  // After training or loading: tables derived from the centroids (nlist x d).
  virtual void prepare(const float* centroids, size_t nlist) = 0;
  // Appends row i of x to cell c's list (its id is appended by the caller); `row` is that row
  // as floats, minus the centroid when codes_residuals().
  virtual void add(InvertedLists& lists, size_t c, const VectorView& x, size_t i, float* row) const = 0;

  // Per-query state: the query in the lists' space and what is computed once per query.
  struct Query {
    const float* q = nullptr;
    std::vector<uint8_t> qb;     // Flat: the query as bytes, when it is exactly bytes
    std::vector<float> term;     // PQ residuals: -2 <q_m, r_mj>
    std::vector<float> table;    // the current cell's M x 256 table
    std::vector<float> scratch;  // d floats
  };
  virtual void start(const float* q, size_t d, Query* s) const = 0;
  // Compares the query with cell c's list (coarse = ||q - c||^2), offering each entry to top;
  // events (nullptr in search) receive every distance and every entry into the top-k.
  virtual void scan(Query& s, const InvertedLists& lists, size_t c, const float* centroid, float coarse,
                    detail::TopK& top, QueryStats* st, std::vector<TraceEvent>* events) const = 0;

  // Compares the query with entries pos[0..n) of cell c's list only (a learned router's layer 2
  // picked them); only scanners with scans_positions() (Flat).
  virtual bool scans_positions() const { return false; }
  virtual void scan_positions(Query&, const InvertedLists&, size_t, const uint32_t*, size_t, detail::TopK&,
                              QueryStats*, std::vector<TraceEvent>*) const {}

  virtual size_t memory_bytes() const = 0;
  // What it learned, written after the lists; and (LOPQ) after the re-rank's base-vector block,
  // where format 1 and 2 files have the rotations.
  virtual void save(BinaryWriter&) const {}
  virtual Status load(BinaryReader&) { return Status::ok(); }
  virtual void save_tail(BinaryWriter&) const {}
  virtual Status load_tail(BinaryReader&, size_t) { return Status::ok(); }
  // LOPQ: each cell's rotation (nlist x d x d, rows = its principal axes in sub-vector order).
  virtual const std::vector<float>* cell_rotations() const { return nullptr; }
  // LOPQ: each cell's principal axes scaled by the standard deviation along them (nlist x d x d).
  virtual std::vector<float> cell_axes() const { return {}; }
};

std::unique_ptr<ListScanner> make_flat_scanner(size_t d);
std::unique_ptr<ListScanner> make_pq_residual_scanner(size_t d, size_t m, std::string what);
std::unique_ptr<ListScanner> make_local_pq_scanner(size_t d, size_t m, std::string what);

}  // namespace annlab
