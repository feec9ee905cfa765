// 8-bit RGB images: decoding with limits (OpenCV), PNG encoding, atomic saving.
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

struct ImageLimits {
  int64_t max_file_bytes = int64_t{256} << 20;  // 256 MiB
  int max_side = 16384;
  int64_t max_pixels = int64_t{100} << 20;  // ~100 megapixels
};

// Decodes PNG/JPEG/BMP/WebP/... into RGB (alpha composited on white, grey expanded, 16-bit
// scaled). Throws glimpse::Error naming `path` for a missing, unreadable, truncated, corrupt,
// unsupported or oversized file.
Image load_image(const std::string& path, const ImageLimits& limits = {});
Image decode_image(const std::string& bytes, const std::string& what,
                   const ImageLimits& limits = {});

// PNG bytes of `image`.
std::string encode_png(const Image& image);
// Writes a PNG atomically (temporary file, fsync, rename).
void save_png(const std::string& path, const Image& image);

}  // namespace glimpse::vision
