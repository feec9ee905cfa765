#include "tiff_directory.h"

#include "byte_order.h"

namespace glimpse::vision {

std::optional<uint32_t> tiff_first_directory_value(std::string_view tiff, uint16_t tag) {
  if (tiff.size() < 8) return std::nullopt;
  const bool little = tiff.compare(0, 2, "II") == 0;
  if (!little && tiff.compare(0, 2, "MM") != 0) return std::nullopt;
  auto u16 = [&](size_t at) { return little ? little_endian_16(tiff, at) : big_endian_16(tiff, at); };
  auto u32 = [&](size_t at) { return little ? little_endian_32(tiff, at) : big_endian_32(tiff, at); };
  if (u16(2) != 42) return std::nullopt;
  const size_t directory = u32(4);
  if (directory > tiff.size() || tiff.size() - directory < 2) return std::nullopt;
  const size_t entries = u16(directory);
  constexpr size_t kEntryBytes = 12;  // tag, type, count, value-or-offset
  constexpr uint32_t kShort = 3, kLong = 4;
  for (size_t k = 0; k < entries; ++k) {
    const size_t entry = directory + 2 + k * kEntryBytes;
    if (entry + kEntryBytes > tiff.size()) return std::nullopt;
    if (u16(entry) != tag) continue;
    const uint32_t type = u16(entry + 2);
    // One SHORT or LONG value sits in the entry itself, left-justified; the tags read here
    // (size, orientation) have exactly one.
    if (u32(entry + 4) != 1) return std::nullopt;
    if (type == kShort) return u16(entry + 8);
    if (type == kLong) return u32(entry + 8);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace glimpse::vision
