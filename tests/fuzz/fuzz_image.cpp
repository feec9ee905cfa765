// Fuzzes glimpse::vision::decode_image, the one door through which picture bytes enter (the
// CLI, the desktop app, dataset checks): the header peek that refuses decompression bombs,
// OpenCV's decoders (PNG, JPEG, GIF, BMP, WebP, TIFF, PNM, ...), depth and channel conversion.
// The limits are small so that an image the fuzzer makes cannot be large: a decoded image must
// respect them, and an allocation the limits should have prevented trips -rss_limit_mb.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/vision/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  glimpse::vision::ImageLimits limits;
  limits.max_file_bytes = 1 << 20;
  limits.max_side = 2048;
  limits.max_pixels = 1 << 20;  // 1 megapixel: 3 MiB of RGB
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const glimpse::vision::Image image = glimpse::vision::decode_image(bytes, "fuzz input", limits);
    if (image.width <= 0 || image.height <= 0 || image.width > limits.max_side ||
        image.height > limits.max_side || int64_t{image.width} * image.height > limits.max_pixels ||
        image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3) {
      std::fprintf(stderr, "fuzz_image: decoded %dx%d with %zu bytes breaks the limits or the layout\n",
                   image.width, image.height, image.rgb.size());
      std::abort();
    }
  } catch (const glimpse::Error&) {
  }
  return 0;
}
