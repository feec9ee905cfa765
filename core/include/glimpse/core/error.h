// Errors raised by the engine. Every message names the layer (or operation) and the shapes
// involved, so that a caller far away can tell what went wrong without a debugger.
//
// The checks run on hot paths too (every layer of every decode step), so a passing check must
// cost a comparison and nothing else: the names are string views (a literal is not copied into
// a std::string), expected shapes are initializer lists (no vector), and where a message needs
// building (numbers, shapes) check_lazily builds it only when the check fails.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "glimpse/core/tensor.h"
#include "glimpse/error.h"

namespace glimpse {

// Throws Error("<where>: <what>").
[[noreturn]] void fail(std::string_view where, std::string_view what);

// Throws Error("<where>: <what>") unless `ok`.
inline void check(bool ok, std::string_view where, std::string_view what) {
  if (!ok) [[unlikely]]
    fail(where, what);
}

// check() whose message is made by make_what() (returning a std::string), called only when the
// check fails.
template <class MakeWhat>
inline void check_lazily(bool ok, std::string_view where, MakeWhat&& make_what) {
  if (!ok) [[unlikely]]
    fail(where, make_what());
}

// Throws unless `t` has exactly `expected` shape; -1 in `expected` matches any size.
bool shape_matches(const Tensor& t, std::initializer_list<int64_t> expected);
[[noreturn]] void fail_shape(const Tensor& t, std::initializer_list<int64_t> expected, std::string_view where,
                             std::string_view name);
inline void check_shape(const Tensor& t, std::initializer_list<int64_t> expected, std::string_view where,
                        std::string_view name) {
  if (!shape_matches(t, expected)) [[unlikely]]
    fail_shape(t, expected, where, name);
}

// Throws unless every element of `t` is finite.
void check_finite(const Tensor& t, std::string_view where, std::string_view name);

}  // namespace glimpse
