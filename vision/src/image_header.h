// What an image file's container says before any pixel is decoded: its format, its size in
// pixels and its EXIF orientation. Reading it first lets decode_image refuse a truncated file
// (OpenCV would fill the missing part with grey and succeed), a decompression bomb (before
// OpenCV allocates for it) and an unsupported format (with a message naming the format).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace glimpse::vision {

enum class ImageFormat { Unknown, Png, Jpeg, Gif, Bmp, WebP, Tiff, Pnm, Heif, Avif };

// "PNG", "JPEG", ...; "unknown" for Unknown.
const char* image_format_name(ImageFormat format);

// The format the first bytes announce (magic numbers only; the rest is not checked).
ImageFormat sniff_image_format(std::string_view bytes);

struct ImageHeader {
  ImageFormat format = ImageFormat::Unknown;
  // -1 when the container was not read (a format OpenCV decodes that is not walked here).
  int64_t width = -1;
  int64_t height = -1;
  // EXIF orientation 1..8 (1 = as stored); only JPEG (APP1 "Exif") and PNG (eXIf) carry it
  // here, the two containers for which OpenCV 4.6 applies it too.
  int orientation = 1;
  bool has_size() const { return width >= 0 && height >= 0; }
};

// Sniffs the format and walks the container of PNG and JPEG completely (every chunk or
// segment, up to IEND or the end-of-image marker), and the fixed headers of BMP and WebP.
// Throws glimpse::Error("<where>: ...") for a truncated or malformed container, and for a
// GIF, HEIF or AVIF file, which this OpenCV build cannot decode, and for text (no image format
// OpenCV reads looks like text but PNM, sniffed here, so OpenCV is not asked: its BMP and other
// decoders would print their own complaint to stderr). Other formats come back as Unknown
// without a size, and decode_image refuses them rather than let OpenCV allocate what their
// headers claim (Sun raster, PFM, Radiance, ...).
ImageHeader read_image_header(std::string_view bytes, const std::string& where);

// The per-format walkers read_image_header dispatches to; `bytes` starts with the format's
// signature.
ImageHeader read_png_header(std::string_view bytes, const std::string& where);
ImageHeader read_jpeg_header(std::string_view bytes, const std::string& where);

}  // namespace glimpse::vision
