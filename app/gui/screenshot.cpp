#include "screenshot.h"

#include <GL/gl.h>

#include <algorithm>
#include <cstring>

namespace glimpse::gui {

Image read_framebuffer(int x0, int y0, int x1, int y1, int framebuffer_width,
                       int framebuffer_height) {
  x0 = std::clamp(x0, 0, framebuffer_width);
  x1 = std::clamp(x1, 0, framebuffer_width);
  y0 = std::clamp(y0, 0, framebuffer_height);
  y1 = std::clamp(y1, 0, framebuffer_height);
  Image image;
  if (x1 <= x0 || y1 <= y0) return image;
  image.width = x1 - x0;
  image.height = y1 - y0;
  std::vector<uint8_t> rows(static_cast<size_t>(image.width) * image.height * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  // GL's origin is the bottom-left corner.
  glReadPixels(x0, framebuffer_height - y1, image.width, image.height, GL_RGB, GL_UNSIGNED_BYTE,
               rows.data());
  image.rgb.resize(rows.size());
  const size_t stride = static_cast<size_t>(image.width) * 3;
  for (int y = 0; y < image.height; ++y)
    std::memcpy(image.rgb.data() + y * stride, rows.data() + (image.height - 1 - y) * stride, stride);
  return image;
}

Image read_framebuffer(int framebuffer_width, int framebuffer_height) {
  return read_framebuffer(0, 0, framebuffer_width, framebuffer_height, framebuffer_width,
                          framebuffer_height);
}

}  // namespace glimpse::gui
