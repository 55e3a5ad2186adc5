// Runtime errors: every message names the operation, the operand and the values.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ctrace {

// Base of everything ctrace throws: bad sizes, out-of-range indices, empty lists.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A captured graph's relation between symbolic sizes did not hold for a call.
class guard_error : public error {
 public:
  using error::error;
};

// A CUDA runtime call failed; the message names the call and CUDA's own text.
class cuda_error : public error {
 public:
  using error::error;
};

namespace detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Cold path kept out of line so that the checks in hot code stay small.
template <class Error = error, class... Parts>
[[noreturn]] __attribute__((noinline, cold)) void raise(const Parts&... parts) {
  throw Error(concat("ctrace: ", parts...));
}

}  // namespace detail
}  // namespace ctrace
