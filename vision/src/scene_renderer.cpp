#include "glimpse/vision/scene_renderer.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

// Scales colour by `factor`, keeping the premultiplied invariant colour <= alpha.
void scale_brightness(Sprite& s, float factor) {
  for (size_t i = 0; i < s.rgba.size(); i += 4) {
    const float a = s.rgba[i + 3];
    for (int c = 0; c < 3; ++c)
      s.rgba[i + c] = static_cast<uint8_t>(std::min(a, std::round(s.rgba[i + c] * factor)));
  }
}

// Composites premultiplied `s` with its top-left corner at (x0, y0), clipped to the canvas,
// and returns the box of its drawn pixels with alpha >= kBoxAlphaThreshold. (A layout keeps
// every object's artwork inside the canvas; clipping only trims the transparent margin that
// rotation adds.)
BoxXYWH composite(const Sprite& s, int x0, int y0, Image& canvas, const std::string& what) {
  const int xa = std::max(0, -x0), ya = std::max(0, -y0);
  const int xb = std::min(s.width, canvas.width - x0), yb = std::min(s.height, canvas.height - y0);
  int bx0 = s.width, by0 = s.height, bx1 = -1, by1 = -1;
  for (int y = ya; y < yb; ++y) {
    const uint8_t* src = s.pixel(xa, y);
    uint8_t* dst = canvas.pixel(x0 + xa, y0 + y);
    for (int x = xa; x < xb; ++x, src += 4, dst += 3) {
      const int a = src[3];
      if (a == 0) continue;
      for (int c = 0; c < 3; ++c)
        dst[c] = static_cast<uint8_t>(src[c] + (dst[c] * (255 - a) + 127) / 255);
      if (a >= kBoxAlphaThreshold) {
        bx0 = std::min(bx0, x);
        bx1 = std::max(bx1, x);
        by0 = std::min(by0, y);
        by1 = std::max(by1, y);
      }
    }
  }
  check(bx1 >= 0, "render_scene", what + " has no pixel with alpha >= " +
                                      std::to_string(kBoxAlphaThreshold) + " inside the canvas");
  return {x0 + bx0, y0 + by0, bx1 - bx0 + 1, by1 - by0 + 1};
}

void apply_effects(const SceneEffects& fx, Image& image) {
  if (fx.brightness != 1.0f) {
    uint8_t table[256];
    for (int v = 0; v < 256; ++v)
      table[v] = static_cast<uint8_t>(std::clamp(std::lround(v * fx.brightness), 0L, 255L));
    for (auto& v : image.rgb) v = table[v];
  }
  cv::Mat rgb(image.height, image.width, CV_8UC3, image.rgb.data());
  if (fx.blur_sigma > 0.0f) cv::GaussianBlur(rgb, rgb, cv::Size(0, 0), fx.blur_sigma);
  if (fx.jpeg_quality > 0) {
    // JPEG's colour transform expects OpenCV's BGR order.
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> bytes;
    if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, fx.jpeg_quality}))
      throw Error("render_scene: OpenCV could not encode the JPEG round trip");
    const cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (decoded.empty() || decoded.size() != rgb.size())
      throw Error("render_scene: OpenCV could not decode its own JPEG");
    cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  }
}

}  // namespace

RenderedScene render_scene(const SceneLayout& layout, const EmojiAtlas& atlas) {
  RenderedScene out;
  render_background(layout.background, layout.canvas, out.image);
  out.boxes.reserve(layout.objects.size());
  for (size_t i = 0; i < layout.objects.size(); ++i) {
    const PlacedObject& p = layout.objects[i];
    const std::string what = "object " + std::to_string(i) + " (catalogue " + std::to_string(p.object) + ")";
    const auto scaled = atlas.scaled(p.object, p.size);
    const bool changed = p.rotation != 0.0f || p.brightness != 1.0f;
    Sprite local;
    if (changed) local = p.rotation != 0.0f ? rotate_sprite(*scaled, p.rotation) : *scaled;
    if (p.brightness != 1.0f) scale_brightness(local, p.brightness);
    const Sprite& s = changed ? local : *scaled;
    const int x0 = static_cast<int>(std::lround(p.cx - 0.5f * static_cast<float>(s.width)));
    const int y0 = static_cast<int>(std::lround(p.cy - 0.5f * static_cast<float>(s.height)));
    out.boxes.push_back(composite(s, x0, y0, out.image, what));
  }
  apply_effects(layout.effects, out.image);
  return out;
}

}  // namespace glimpse::vision
