// Fixed-width integers read from a byte buffer in big- or little-endian order, for walking
// image containers (PNG and JPEG are big-endian, GIF and BMP little-endian, EXIF either).
// Callers check that [at, at + width) lies inside `b`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace glimpse::vision {

inline uint32_t byte_at(std::string_view b, size_t at) { return static_cast<unsigned char>(b[at]); }

inline uint32_t big_endian_16(std::string_view b, size_t at) {
  return (byte_at(b, at) << 8) | byte_at(b, at + 1);
}
inline uint32_t big_endian_32(std::string_view b, size_t at) {
  return (big_endian_16(b, at) << 16) | big_endian_16(b, at + 2);
}
inline uint32_t little_endian_16(std::string_view b, size_t at) {
  return byte_at(b, at) | (byte_at(b, at + 1) << 8);
}
inline uint32_t little_endian_32(std::string_view b, size_t at) {
  return little_endian_16(b, at) | (little_endian_16(b, at + 2) << 16);
}

}  // namespace glimpse::vision
