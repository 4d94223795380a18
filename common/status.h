#pragma once
// Status / Result<T> for everything a user can get wrong (abseil StatusOr style), shared by the
// simulator and chaos-agent. Exceptions are reserved for programmer errors at the boundary.
#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/text.h"

namespace spotsim {

enum class StatusCode { kOk = 0, kInvalidInput = 2, kIo = 3, kInternal = 4 };

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid(std::string msg) { return Status(StatusCode::kInvalidInput, std::move(msg)); }
  static Status io(std::string msg) { return Status(StatusCode::kIo, std::move(msg)); }
  static Status internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context, e.g. the flag that named the file: "--identity: " + message, on every line
  // of a message of several (one diagnostic per line), so each line says where it comes from.
  Status with_prefix(const std::string& prefix) const { return Status(code_, prefix_lines(prefix, message_)); }

 private:
  Status(StatusCode c, std::string m) : code_(c), message_(std::move(m)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "Result constructed from an ok Status");
  }
  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: is_ok()
  T& value() & {
    assert(value_);
    return *value_;
  }
  const T& value() const& {
    assert(value_);
    return *value_;
  }
  T&& value() && {
    assert(value_);
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

#define SPOTSIM_CONCAT_INNER(a, b) a##b
#define SPOTSIM_CONCAT(a, b) SPOTSIM_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)       \
  do {                              \
    ::spotsim::Status _st = (expr); \
    if (!_st.is_ok()) return _st;   \
  } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.is_ok()) return tmp.status();      \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(SPOTSIM_CONCAT(_res_, __LINE__), lhs, expr)

}  // namespace spotsim
