// Draws a scene layout with one art style: background, objects composited in order
// (premultiplied "over"), then the whole-image effects (brightness, blur, JPEG round trip).
// Records each object's box: the tight box of its artwork's pixels with coverage >= 1/4.
#pragma once

#include <vector>

#include "glimpse/vision/emoji_atlas.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/scene_layout.h"

namespace glimpse::vision {

// COCO box convention: top-left corner and size, in pixels.
struct BoxXYWH {
  int x = 0, y = 0, w = 0, h = 0;
};

// Alpha (0..255) from which an artwork pixel counts as part of the object's box.
constexpr int kBoxAlphaThreshold = 64;

struct RenderedScene {
  Image image;
  std::vector<BoxXYWH> boxes;  // one per layout object, same order
};

// Throws glimpse::Error if an object has no visible pixel on the canvas.
RenderedScene render_scene(const SceneLayout& layout, const EmojiAtlas& atlas);

}  // namespace glimpse::vision
