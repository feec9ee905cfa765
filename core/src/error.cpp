#include "glimpse/core/error.h"

namespace glimpse {

void fail(std::string_view where, std::string_view what) {
  std::string message(where);
  message += ": ";
  message += what;
  throw Error(message);
}

bool shape_matches(const Tensor& t, std::initializer_list<int64_t> expected) {
  if (t.rank() != expected.size()) return false;
  size_t i = 0;
  for (int64_t want : expected) {
    if (want >= 0 && want != t.dim(i)) return false;
    ++i;
  }
  return true;
}

void fail_shape(const Tensor& t, std::initializer_list<int64_t> expected, std::string_view where,
                std::string_view name) {
  std::string want = "[";
  for (int64_t e : expected) {
    if (want.size() > 1) want += ", ";
    want += e < 0 ? "*" : std::to_string(e);
  }
  fail(where, std::string(name) + " has shape " + shape_str(t.shape()) + ", expected " + want + "]");
}

void check_finite(const Tensor& t, std::string_view where, std::string_view name) {
  if (!t.all_finite()) fail(where, std::string(name) + " " + shape_str(t.shape()) + " contains NaN or Inf");
}

}  // namespace glimpse
