// PNG: the chunk walk. A PNG is the 8-byte signature, then chunks (4-byte length, 4-byte
// type, data, 4-byte CRC), IHDR first and IEND last. libpng, under OpenCV, decodes a file cut
// inside its image data without an error (the missing rows come out grey), so completeness is
// checked here: every chunk must lie inside the file and IEND must be there. Bytes after IEND
// are ignored, as libpng ignores them. The CRCs of the critical chunks after IHDR (PLTE, IDAT,
// IEND: an upper-case first letter) are checked too: libpng refuses a mismatch as well, but
// prints "libpng error: ..." to stderr first, a second line beside ours. IHDR's CRC is left to
// libpng so that a header claiming a huge size is refused for that size (decode_image checks
// it before decoding) whatever its CRC; ancillary chunks with a bad CRC are left to libpng,
// which drops them with a warning.
#include <algorithm>
#include <array>
#include <string>

#include "byte_order.h"
#include "glimpse/core/error.h"
#include "image_header.h"
#include "tiff_directory.h"

namespace glimpse::vision {
namespace {

// CRC-32 (ISO 3309, polynomial 0xEDB88320), as PNG computes it over a chunk's type and data.
uint32_t png_crc(std::string_view bytes) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

ImageHeader read_png_header(std::string_view b, const std::string& where) {
  constexpr size_t kSignatureBytes = 8, kChunkOverhead = 12;  // length + type + CRC
  constexpr uint32_t kMaxChunkLength = 0x7fffffff;            // the PNG specification's limit
  ImageHeader header;
  header.format = ImageFormat::Png;
  size_t at = kSignatureBytes;
  bool first = true;
  while (true) {
    if (b.size() - at < kChunkOverhead)
      throw Error(where + ": truncated PNG: the file ends at byte " + std::to_string(b.size()) +
                  " before the IEND chunk that closes every PNG");
    const uint32_t length = big_endian_32(b, at);
    const std::string type(b.substr(at + 4, 4));
    const auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    if (!std::all_of(type.begin(), type.end(), is_letter))
      throw Error(where + ": corrupt PNG: the chunk at byte " + std::to_string(at) +
                  " has no valid type (four letters)");
    if (length > kMaxChunkLength)
      throw Error(where + ": corrupt PNG: chunk '" + type + "' at byte " + std::to_string(at) +
                  " claims " + std::to_string(length) + " bytes");
    if (length > b.size() - at - kChunkOverhead)
      throw Error(where + ": truncated PNG: chunk '" + type + "' at byte " + std::to_string(at) +
                  " needs " + std::to_string(length) + " bytes of data and its CRC, but only " +
                  std::to_string(b.size() - at - 8) + " bytes follow (no IEND chunk)");
    const std::string_view data = b.substr(at + 8, length);
    const bool critical = type[0] >= 'A' && type[0] <= 'Z';
    if (critical && !first && png_crc(b.substr(at + 4, 4 + length)) != big_endian_32(b, at + 8 + length))
      throw Error(where + ": corrupt PNG: chunk '" + type + "' at byte " + std::to_string(at) +
                  " fails its CRC check");
    if (first) {
      constexpr uint32_t kHeaderLength = 13;
      if (type != "IHDR" || length != kHeaderLength)
        throw Error(where + ": corrupt PNG: the first chunk is '" + type + "' (" + std::to_string(length) +
                    " bytes), not a 13-byte IHDR");
      header.width = big_endian_32(data, 0);
      header.height = big_endian_32(data, 4);
      first = false;
    } else if (type == "eXIf") {
      const auto o = tiff_first_directory_value(data, tiff_tag::kOrientation);
      if (o && *o >= 1 && *o <= 8)
        header.orientation = static_cast<int>(*o);
    } else if (type == "IEND") {
      return header;
    }
    at += kChunkOverhead + length;
  }
}

}  // namespace glimpse::vision
