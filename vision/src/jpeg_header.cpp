// JPEG: the marker walk. A JPEG is SOI (FF D8), segments (FF xx + 2-byte length + payload),
// entropy-coded scans after each SOS segment (where FF is followed by 00 or a restart marker
// D0..D7), and EOI (FF D9). libjpeg, under OpenCV, decodes a file cut inside a scan with only a
// warning ("Premature end of JPEG file") and grey rows, so the walk requires EOI: a file whose
// data ends before it is refused as truncated.
//
// Bytes after EOI are allowed and ignored, as libjpeg ignores them: cameras pad files with
// zeros, phones append data (motion photos put a video there, MPO files a second picture),
// and none of it changes the picture. Embedded thumbnails (inside APP1) are skipped with their
// segment, so their own EOI does not count.
#include <cstdio>
#include <cstring>
#include <string>

#include "byte_order.h"
#include "glimpse/core/error.h"
#include "image_header.h"
#include "tiff_directory.h"

namespace glimpse::vision {
namespace {

bool is_start_of_frame(uint32_t marker) {
  // C0..CF except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Markers without a length: TEM, RST0..7, SOI.
bool is_standalone(uint32_t marker) { return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8); }

// The offset of the marker that ends the entropy-coded data starting at `at`: the first FF
// not followed by 00 (a stuffed data byte), a restart marker or another FF (fill).
size_t end_of_scan(std::string_view b, size_t at) {
  while (at < b.size()) {
    const void* ff = std::memchr(b.data() + at, 0xFF, b.size() - at);
    if (ff == nullptr) return b.size();
    at = static_cast<size_t>(static_cast<const char*>(ff) - b.data());
    if (at + 1 >= b.size()) return b.size();
    const uint32_t next = byte_at(b, at + 1);
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
      at += 1;
      continue;
    }
    return at;
  }
  return b.size();
}

std::string hex_marker(uint32_t marker) {
  char text[8];
  std::snprintf(text, sizeof text, "FF %02X", marker);
  return text;
}

}  // namespace

ImageHeader read_jpeg_header(std::string_view b, const std::string& where) {
  ImageHeader header;
  header.format = ImageFormat::Jpeg;
  auto truncated = [&](const std::string& what) {
    return Error(where + ": truncated JPEG: " + what + "; no end-of-image marker (FF D9)");
  };
  bool have_frame = false, have_orientation = false, in_scan_data = false;
  size_t at = 2;  // after SOI
  while (true) {
    // Like libjpeg, skip stray bytes before a marker and any FF fill bytes.
    while (at < b.size() && byte_at(b, at) != 0xFF) ++at;
    while (at + 1 < b.size() && byte_at(b, at + 1) == 0xFF) ++at;
    if (at + 1 >= b.size())
      throw truncated("the file ends at byte " + std::to_string(b.size()) +
                      (in_scan_data ? " inside the compressed image data" : ""));
    const uint32_t marker = byte_at(b, at + 1);
    if (marker == 0xD9) {
      if (!have_frame) throw Error(where + ": corrupt JPEG: no frame header (SOF) before the end-of-image marker");
      return header;
    }
    if (is_standalone(marker) || marker == 0x00) {
      at += 2;
      continue;
    }
    if (b.size() - at < 4) throw truncated("the file ends inside the marker at byte " + std::to_string(at));
    const size_t length = big_endian_16(b, at + 2);  // counts itself, not the FF xx
    if (length < 2)
      throw Error(where + ": corrupt JPEG: segment " + hex_marker(marker) + " at byte " +
                  std::to_string(at) + " has length " + std::to_string(length));
    if (length > b.size() - at - 2)
      throw truncated("segment " + hex_marker(marker) + " at byte " + std::to_string(at) + " needs " +
                      std::to_string(length) + " bytes but only " + std::to_string(b.size() - at - 2) + " follow");
    const std::string_view payload = b.substr(at + 4, length - 2);
    if (is_start_of_frame(marker) && !have_frame) {
      if (payload.size() < 5)
        throw Error(where + ": corrupt JPEG: frame header at byte " + std::to_string(at) + " is too short");
      header.height = big_endian_16(payload, 1);
      header.width = big_endian_16(payload, 3);
      have_frame = true;
    } else if (marker == 0xE1 && !have_orientation && payload.size() > 6 &&
               payload.compare(0, 5, std::string_view("Exif\0", 5)) == 0) {
      // APP1 "Exif\0" + a pad byte, then a TIFF structure. The first EXIF block rules.
      have_orientation = true;
      const auto o = tiff_first_directory_value(payload.substr(6), tiff_tag::kOrientation);
      if (o && *o >= 1 && *o <= 8)
        header.orientation = static_cast<int>(*o);
    }
    at += 2 + length;
    in_scan_data = marker == 0xDA;
    if (in_scan_data) at = end_of_scan(b, at);  // SOS: the scan's data follows the header
  }
}

}  // namespace glimpse::vision
