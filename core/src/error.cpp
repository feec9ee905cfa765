#include "glimpse/core/error.h"

namespace glimpse {

void check(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw Error(where + ": " + what);
}

void check_shape(const Tensor& t, const Shape& expected, const std::string& where,
                 const std::string& name) {
  bool ok = t.rank() == expected.size();
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = expected[i] < 0 || expected[i] == t.dim(i);
  if (!ok) {
    std::string want = "[";
    for (size_t i = 0; i < expected.size(); ++i) {
      if (i) want += ", ";
      want += expected[i] < 0 ? "*" : std::to_string(expected[i]);
    }
    throw Error(where + ": " + name + " has shape " + shape_str(t.shape()) + ", expected " + want +
                "]");
  }
}

void check_finite(const Tensor& t, const std::string& where, const std::string& name) {
  if (!t.all_finite())
    throw Error(where + ": " + name + " " + shape_str(t.shape()) + " contains NaN or Inf");
}

}  // namespace glimpse
