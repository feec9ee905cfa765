#include "number_format.h"

#include <cstdio>
#include <cstring>

namespace glimpse::app {

std::string fixed_decimals(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  if (buf[0] == '-' && std::strspn(buf + 1, "0.") == std::strlen(buf + 1)) return buf + 1;
  return buf;
}

std::string signed_decimals(double v, int decimals) {
  const std::string s = fixed_decimals(v, decimals);
  const bool zero = s.find_first_not_of("0.") == std::string::npos;
  return zero || s[0] == '-' ? s : "+" + s;
}

}  // namespace glimpse::app
