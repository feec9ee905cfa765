// Errors raised by the engine. Every message names the layer (or operation) and the shapes
// involved, so that a caller far away can tell what went wrong without a debugger.
#pragma once

#include <stdexcept>
#include <string>

#include "glimpse/core/tensor.h"
#include "glimpse/error.h"

namespace glimpse {

// Throws Error("<where>: <what>") unless `ok`.
void check(bool ok, const std::string& where, const std::string& what);

// Throws unless `t` has exactly `expected` shape; -1 in `expected` matches any size.
void check_shape(const Tensor& t, const Shape& expected, const std::string& where,
                 const std::string& name);

// Throws unless every element of `t` is finite.
void check_finite(const Tensor& t, const std::string& where, const std::string& name);

}  // namespace glimpse
