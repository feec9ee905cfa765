// Format sniffing and the fixed headers (BMP, WebP, TIFF); PNG and JPEG have their own walkers.
#include "image_header.h"

#include <algorithm>
#include <cctype>

#include "byte_order.h"
#include "glimpse/core/error.h"
#include "tiff_directory.h"

namespace glimpse::vision {
namespace {

bool starts_with(std::string_view b, std::string_view prefix) { return b.substr(0, prefix.size()) == prefix; }

// "BM" alone also starts text ("BMW ..."); the info header's size field tells a real BMP:
// one of the header versions (OS/2 1.x, Windows 3.x, the Adobe variants, OS/2 2.x, V4, V5).
bool is_bmp_info_header_size(uint32_t size) {
  return size == 12 || size == 40 || size == 52 || size == 56 || size == 64 || size == 108 || size == 124;
}

// ISO base media files (HEIF, AVIF) start with an "ftyp" box naming a major brand.
ImageFormat sniff_iso_media(std::string_view b) {
  if (b.size() < 12 || b.substr(4, 4) != "ftyp") return ImageFormat::Unknown;
  const std::string_view brand = b.substr(8, 4);
  if (brand == "avif" || brand == "avis") return ImageFormat::Avif;
  if (brand == "heic" || brand == "heix" || brand == "heim" || brand == "heis" || brand == "mif1" ||
      brand == "msf1" || brand == "hevc")
    return ImageFormat::Heif;
  return ImageFormat::Unknown;
}

// WebP: "RIFF" size "WEBP", then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk, each
// of which gives the canvas size at a fixed place.
void read_webp_size(std::string_view b, ImageHeader& h) {
  if (b.size() < 31) return;  // too short for any of the three (VP8X reads up to byte 30)
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 " && b.substr(23, 3) == "\x9d\x01\x2a") {
    h.width = little_endian_16(b, 26) & 0x3fff;
    h.height = little_endian_16(b, 28) & 0x3fff;
  } else if (chunk == "VP8L" && byte_at(b, 20) == 0x2f) {
    const uint32_t bits = little_endian_32(b, 21);
    h.width = (bits & 0x3fff) + 1;
    h.height = ((bits >> 14) & 0x3fff) + 1;
  } else if (chunk == "VP8X") {
    // Two 24-bit fields (canvas size minus one) at bytes 24..26 and 27..29.
    h.width = (little_endian_16(b, 24) | (byte_at(b, 26) << 16)) + 1;
    h.height = (little_endian_16(b, 27) | (byte_at(b, 29) << 16)) + 1;
  }
}

// Netpbm: after "Pn", whitespace-separated fields ('#' starts a comment to the end of the line)
// of which the first two are the width and height; PAM (P7) names them on "WIDTH w" and
// "HEIGHT h" lines before ENDHDR. A size that cannot be read is left unknown (and decode_image
// then refuses the file).
void read_pnm_size(std::string_view b, ImageHeader& h) {
  constexpr int64_t kSaturated = int64_t{1} << 40;  // far over any limit, no overflow
  size_t i = 2;
  // The next field, or empty at the end of the header bytes.
  auto next_field = [&]() -> std::string_view {
    for (;;) {
      while (i < b.size() && std::isspace(static_cast<unsigned char>(b[i]))) ++i;
      if (i < b.size() && b[i] == '#') {
        while (i < b.size() && b[i] != '\n' && b[i] != '\r') ++i;
        continue;
      }
      break;
    }
    const size_t start = i;
    while (i < b.size() && !std::isspace(static_cast<unsigned char>(b[i])) && b[i] != '#') ++i;
    return b.substr(start, i - start);
  };
  auto number = [&](std::string_view field) -> int64_t {
    if (field.empty()) return -1;
    int64_t v = 0;
    for (char c : field) {
      if (c < '0' || c > '9') return -1;
      v = std::min(kSaturated, v * 10 + (c - '0'));
    }
    return v;
  };
  if (b[1] != '7') {
    const int64_t width = number(next_field());
    const int64_t height = number(next_field());
    if (width >= 0 && height >= 0) {
      h.width = width;
      h.height = height;
    }
    return;
  }
  int64_t width = -1, height = -1;
  for (std::string_view key = next_field(); !key.empty() && key != "ENDHDR"; key = next_field()) {
    if (key == "WIDTH") width = number(next_field());
    else if (key == "HEIGHT") height = number(next_field());
  }
  if (width >= 0 && height >= 0) {
    h.width = width;
    h.height = height;
  }
}

// True when the first bytes are printable text, ASCII or UTF-8 (a web page, a JSON file, an
// error message saved under an image's name), so the error can say what the file probably is.
bool looks_like_text(std::string_view b) {
  const std::string_view head = b.substr(0, 256);
  for (size_t i = 0; i < head.size();) {
    const auto c = static_cast<unsigned char>(head[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7f) return false;
      ++i;
      continue;
    }
    // A UTF-8 sequence: lead byte C2..F4, then 1-3 continuation bytes 10xxxxxx (the window may
    // end inside the last one).
    const size_t continuation = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
    if (continuation == 0) return false;
    for (size_t k = 1; k <= continuation && i + k < head.size(); ++k)
      if ((static_cast<unsigned char>(head[i + k]) & 0xC0) != 0x80) return false;
    i += 1 + continuation;
  }
  return true;
}

}  // namespace

const char* image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Gif: return "GIF";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::WebP: return "WebP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Pnm: return "PNM";
    case ImageFormat::Heif: return "HEIF";
    case ImageFormat::Avif: return "AVIF";
    case ImageFormat::Unknown: break;
  }
  return "unknown";
}

ImageFormat sniff_image_format(std::string_view b) {
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) return ImageFormat::Png;
  if (starts_with(b, "\xff\xd8\xff")) return ImageFormat::Jpeg;
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return ImageFormat::Gif;
  if (starts_with(b, "BM") && b.size() >= 26 && is_bmp_info_header_size(little_endian_32(b, 14)))
    return ImageFormat::Bmp;
  if (starts_with(b, "RIFF") && b.size() >= 12 && b.substr(8, 4) == "WEBP") return ImageFormat::WebP;
  if (starts_with(b, std::string_view("II*\0", 4)) || starts_with(b, std::string_view("MM\0*", 4)))
    return ImageFormat::Tiff;
  // Netpbm: "P1".."P7" and whitespace; the ASCII variants are text that is a picture.
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' && std::isspace(static_cast<unsigned char>(b[2])))
    return ImageFormat::Pnm;
  return sniff_iso_media(b);
}

ImageHeader read_image_header(std::string_view b, const std::string& where) {
  ImageHeader h;
  h.format = sniff_image_format(b);
  switch (h.format) {
    case ImageFormat::Png: return read_png_header(b, where);
    case ImageFormat::Jpeg: return read_jpeg_header(b, where);
    case ImageFormat::Gif:
    case ImageFormat::Heif:
    case ImageFormat::Avif:
      // OpenCV 4.6 has no decoder for these (GIF arrived in 4.11); without this the user
      // would read "not a supported image" about a file that plainly is one.
      throw Error(where + ": " + image_format_name(h.format) +
                  " is not supported (OpenCV 4.6 cannot decode it); convert it to PNG or JPEG");
    case ImageFormat::Bmp: {
      h.width = static_cast<int32_t>(little_endian_32(b, 18));
      const auto height = static_cast<int32_t>(little_endian_32(b, 22));  // negative: stored top-down
      h.height = height < 0 ? -int64_t{height} : height;
      return h;
    }
    case ImageFormat::WebP: read_webp_size(b, h); return h;
    case ImageFormat::Tiff: {
      const auto w = tiff_first_directory_value(b, tiff_tag::kImageWidth);
      const auto l = tiff_first_directory_value(b, tiff_tag::kImageLength);
      if (w && l) {
        h.width = *w;
        h.height = *l;
      }
      return h;
    }
    case ImageFormat::Pnm: read_pnm_size(b, h); return h;
    case ImageFormat::Unknown: break;
  }
  if (looks_like_text(b))
    throw Error(where + ": not a supported image: its first bytes match no image format and it looks like a text file");
  return h;
}

}  // namespace glimpse::vision
