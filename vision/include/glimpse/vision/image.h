// 8-bit RGB images: decoding with limits and checks (OpenCV), PNG encoding, atomic saving.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace glimpse::vision {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel, R G B

  bool empty() const { return width == 0 || height == 0; }
  uint8_t* pixel(int x, int y) { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
  const uint8_t* pixel(int x, int y) const {
    return rgb.data() + (static_cast<size_t>(y) * width + x) * 3;
  }
};

// Default budgets for decoding one picture (docs/limits.md lists them). Every picture the model
// sees is shrunk to 128 px first, so these exist only to keep a hostile or broken file from
// exhausting memory; they are set well above any real photo.
//
// Pixels: 128 Mi (134 million). Decoding costs 6 bytes a pixel at peak for 8-bit RGB
// (OpenCV's decoded copy + the RGB result; 9 when EXIF-rotated, 11 for 16-bit RGBA), so about
// 0.8 GB at the budget, and it admits the largest photos cameras take by default (108 MP
// phones, 100 MP medium format). A PNG header can claim 4 billion × 4 billion pixels in 33 bytes: the size is
// checked from the header, before OpenCV allocates anything.
inline constexpr int64_t kDefaultMaxImagePixels = int64_t{128} << 20;
// Side: 16384 px. Longer than the long side of single-shot camera photos (a 200 MP phone
// sensor is 16320 px wide) and the largest texture common GPUs take, so the desktop app shows
// any accepted picture unscaled; longer sides are strips and stitched panoramas, which a
// 128-px model input squashes to a few rows of patches anyway.
inline constexpr int kDefaultMaxImageSide = 16384;
// File: 512 MiB. The file is read whole into memory before decoding; an 8-bit RGB PNG at the
// full pixel budget is 384 MiB even stored uncompressed, so no file within the pixel budget
// is refused for its size, while a wrong path to a disk image or a video is.
inline constexpr int64_t kDefaultMaxImageFileBytes = int64_t{512} << 20;

struct ImageLimits {
  int64_t max_file_bytes = kDefaultMaxImageFileBytes;
  int max_side = kDefaultMaxImageSide;
  int64_t max_pixels = kDefaultMaxImagePixels;
};

// Decodes PNG/JPEG/BMP/WebP/TIFF/PNM into RGB: alpha composited on white, grey expanded,
// 16-bit scaled to 8, CMYK JPEG converted, and the EXIF orientation of JPEG and PNG applied
// (the picture comes out upright, as viewers show it). Throws glimpse::Error naming `what` for
// an empty, truncated (PNG without IEND, JPEG without its end-of-image marker), corrupt,
// unsupported (GIF, HEIF, AVIF, text) or oversized file, and load_image also for a missing or
// unreadable one. No budget is exceeded before the refusal: the file size is checked before
// reading, the pixel count from the header before decoding (PNG, JPEG, BMP, WebP, TIFF, PNM;
// other formats OpenCV reads, whose size is not read first, are refused: Sun raster, PFM, ...).
Image load_image(const std::string& path, const ImageLimits& limits = {});
Image decode_image(const std::string& bytes, const std::string& what,
                   const ImageLimits& limits = {});

// PNG bytes of `image`.
std::string encode_png(const Image& image);
// Writes a PNG atomically (temporary file, fsync, rename).
void save_png(const std::string& path, const Image& image);

}  // namespace glimpse::vision
