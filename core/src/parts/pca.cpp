#include "annlab/pca.h"

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <cmath>

#include "annlab/random.h"

namespace annlab {

std::vector<float> Pca::project(const VectorView& x) const {
  ANNLAB_ASSERT(x.d == d);
  std::vector<float> out(x.n * k), row(d);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (size_t c = 0; c < k; ++c) {
      double s = 0;
      for (size_t j = 0; j < d; ++j) s += double(row[j] - mean[j]) * components[c * d + j];
      out[i * k + c] = float(s);
    }
  }
  return out;
}

Result<Pca> fit_pca(const VectorView& x, size_t k) {
  Pca p;
  ANNLAB_TRY(fit_pca_task(x, k, &p).run());
  return p;
}

TrainTask fit_pca_task(VectorView x, size_t k, Pca* out) {
  if (x.n < 2) co_return Status::error(cat("PCA needs at least 2 vectors, got ", x.n));
  if (k == 0 || k > x.d) co_return Status::error(cat("PCA components k = ", k, " is outside 1..", x.d));
  ANNLAB_CO_TRY(x.check_finite("PCA input"));
  const size_t d = x.d;
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(Eigen::Index(d));
  std::vector<float> row(d);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (size_t j = 0; j < d; ++j) mean[Eigen::Index(j)] += row[j];
  }
  mean /= double(x.n);
  // Covariance accumulated in blocks of rows: (X - mean)^T (X - mean) / (n - 1). One block is one
  // step: 256 rows of 784-d images are about 80 million multiply-adds.
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(Eigen::Index(d), Eigen::Index(d));
  const size_t block = 256;
  Eigen::MatrixXd B = Eigen::MatrixXd::Zero(Eigen::Index(block), Eigen::Index(d));
  for (size_t b = 0; b < x.n; b += block) {
    const size_t m = std::min(block, x.n - b);
    for (size_t i = 0; i < m; ++i) {
      x.row_to_f32(b + i, row.data());
      for (size_t j = 0; j < d; ++j) B(Eigen::Index(i), Eigen::Index(j)) = row[j] - mean[Eigen::Index(j)];
    }
    cov.selfadjointView<Eigen::Lower>().rankUpdate(B.topRows(Eigen::Index(m)).transpose());
    ANNLAB_CO_STEP(cat("PCA: covariance ", b + m, "/", x.n, " rows"), 0.8 * double(b + m) / double(x.n));
  }
  cov = cov.selfadjointView<Eigen::Lower>();
  cov /= double(x.n - 1);
  std::vector<double> a(d * d), values, vectors;
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) a[i * d + j] = cov(Eigen::Index(i), Eigen::Index(j));
  const Status st = symmetric_eigen(a, d, &values, &vectors);
  if (!st.is_ok()) co_return Status::error(cat("PCA ", st.message()));
  Pca p;
  p.d = d;
  p.k = k;
  p.mean.resize(d);
  for (size_t j = 0; j < d; ++j) p.mean[j] = float(mean[Eigen::Index(j)]);
  p.components.resize(k * d);
  for (size_t c = 0; c < k; ++c) {
    for (size_t j = 0; j < d; ++j) p.components[c * d + j] = float(vectors[c * d + j]);
    p.variance.push_back(values[c]);
  }
  *out = std::move(p);
  co_return Status::ok();
}

namespace {
using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

Status symmetric_eigen(const std::vector<double>& a, size_t d, std::vector<double>* values,
                       std::vector<double>* vectors) {
  ANNLAB_ASSERT(a.size() == d * d);
  Eigen::Map<const RowMatrixD> A(a.data(), Eigen::Index(d), Eigen::Index(d));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig{Eigen::MatrixXd(A)};
  if (eig.info() != Eigen::Success) return Status::error("eigen-decomposition did not converge");
  values->assign(d, 0.0);
  vectors->assign(d * d, 0.0);
  for (size_t c = 0; c < d; ++c) {
    const Eigen::Index col = Eigen::Index(d - 1 - c);  // eigenvalues ascend
    Eigen::VectorXd v = eig.eigenvectors().col(col);
    Eigen::Index arg;
    v.cwiseAbs().maxCoeff(&arg);
    if (v[arg] < 0) v = -v;
    (*values)[c] = eig.eigenvalues()[col];
    for (size_t j = 0; j < d; ++j) (*vectors)[c * d + j] = v[Eigen::Index(j)];
  }
  return Status::ok();
}

Status procrustes_rotation(const std::vector<double>& a, size_t d, std::vector<float>* r) {
  ANNLAB_ASSERT(a.size() == d * d);
  Eigen::Map<const RowMatrixD> A(a.data(), Eigen::Index(d), Eigen::Index(d));
  if (!A.allFinite()) return Status::error("Procrustes: the correlation matrix holds NaN or Inf");
  Eigen::BDCSVD<Eigen::MatrixXd> svd{Eigen::MatrixXd(A), Eigen::ComputeFullU | Eigen::ComputeFullV};
  if (svd.info() != Eigen::Success) return Status::error("Procrustes: the SVD did not converge");
  const Eigen::MatrixXd R = svd.matrixV() * svd.matrixU().transpose();
  r->resize(d * d);
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) (*r)[i * d + j] = float(R(Eigen::Index(i), Eigen::Index(j)));
  return Status::ok();
}

std::vector<float> random_rotation(size_t d, uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd G{Eigen::Index(d), Eigen::Index(d)};
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) G(Eigen::Index(i), Eigen::Index(j)) = rng.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr{G};
  const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(Eigen::Index(d), Eigen::Index(d));
  std::vector<float> out(d * d);
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) out[i * d + j] = float(Q(Eigen::Index(i), Eigen::Index(j)));
  return out;
}

}  // namespace annlab
