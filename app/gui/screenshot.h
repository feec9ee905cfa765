// Reading back what was drawn: the whole framebuffer or a region of it, as a glimpse::Image
// (top row first). Call after rendering, before swapping buffers.
#pragma once

#include "glimpse/glimpse.h"

namespace glimpse::gui {

// Region in framebuffer pixels with a top-left origin; clamped to the framebuffer.
Image read_framebuffer(int x0, int y0, int x1, int y1, int framebuffer_width, int framebuffer_height);
Image read_framebuffer(int framebuffer_width, int framebuffer_height);

}  // namespace glimpse::gui
