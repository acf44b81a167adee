// annlab/status.h — the two error tiers.
//
// Caller errors (bad dimension, k = 0, unknown factory string, corrupt or truncated file, NaN in
// input) come back as a Status or Result<T> whose message names what was wrong and where.
// Broken invariants (bugs in annlab itself) abort through ANNLAB_ASSERT with file and line.
// Exceptions are not used for either tier, so nothing throws across the embind boundary.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace annlab {

// Concatenates any streamable values into a string: cat("d = ", d, ", expected ", e).
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

[[noreturn]] inline void value_fail(const std::string& message, const char* file, int line) {
  std::fprintf(stderr, "annlab: value() of an error Result at %s:%d: %s\n", file, line, message.c_str());
  std::abort();
}

[[noreturn]] inline void assert_fail(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "annlab: internal invariant broken: %s at %s:%d\n", cond, file, line);
  std::abort();
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), true); }

  bool is_ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  // Prefixes the message with where it happened ("base.fvecs: ...").
  Status with_context(std::string_view where) const {
    return is_ok() ? *this : error(cat(where, ": ", message_));
  }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {    // NOLINT: implicit on purpose
    if (status_.is_ok()) status_ = Status::error("internal: Result built from an ok Status");
  }
  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const std::string& message() const { return status_.message(); }
  // The value; on an error Result this is a broken invariant of the caller's: it aborts naming
  // the caller's file and line and the error (clang 14's libc++ has no std::source_location).
  T& value(const char* file = __builtin_FILE(), int line = __builtin_LINE()) & { return *checked(file, line); }
  const T& value(const char* file = __builtin_FILE(), int line = __builtin_LINE()) const& {
    return *checked(file, line);
  }
  T&& value(const char* file = __builtin_FILE(), int line = __builtin_LINE()) && {
    return std::move(*checked(file, line));
  }
  T* operator->() { return &*checked(__FILE__, __LINE__); }
  const T* operator->() const { return &*checked(__FILE__, __LINE__); }

 private:
  std::optional<T>& checked(const char* file, int line) {
    if (!value_) value_fail(status_.message(), file, line);
    return value_;
  }
  const std::optional<T>& checked(const char* file, int line) const {
    if (!value_) value_fail(status_.message(), file, line);
    return value_;
  }
  std::optional<T> value_;
  Status status_;
};

}  // namespace annlab

#define ANNLAB_ASSERT(cond) \
  do { if (!(cond)) ::annlab::assert_fail(#cond, __FILE__, __LINE__); } while (0)

#define ANNLAB_CONCAT_INNER(a, b) a##b
#define ANNLAB_CONCAT(a, b) ANNLAB_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` fails.
#define ANNLAB_TRY(expr)                                   \
  do {                                                     \
    ::annlab::Status annlab_try_status_ = (expr);          \
    if (!annlab_try_status_.is_ok()) return annlab_try_status_; \
  } while (0)

// `ANNLAB_ASSIGN_OR_RETURN(auto x, make_x());` declares x from a Result or returns its Status.
#define ANNLAB_ASSIGN_OR_RETURN(lhs, expr) \
  ANNLAB_ASSIGN_OR_RETURN_IMPL(ANNLAB_CONCAT(annlab_result_, __LINE__), lhs, expr)
#define ANNLAB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.is_ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
