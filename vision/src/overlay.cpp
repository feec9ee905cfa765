#include "glimpse/vision/overlay.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"
#include "label_text.h"

namespace glimpse::vision {
namespace {

std::string size_str(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

// Outlined twice (dark, then light on top) so the box shows on every colour of every map.
void outline_box(cv::Mat& rgb, const PixelBox& box) {
  const int x0 = static_cast<int>(std::floor(box.x0)), y0 = static_cast<int>(std::floor(box.y0));
  const int x1 = static_cast<int>(std::ceil(box.x1)) - 1,
            y1 = static_cast<int>(std::ceil(box.y1)) - 1;
  if (x1 < x0 || y1 < y0) return;  // the patch lies wholly in letterbox padding
  const int thickness = std::max(1, std::min(rgb.cols, rgb.rows) / 160);
  cv::rectangle(rgb, cv::Point(x0, y0), cv::Point(x1, y1), cv::Scalar(0, 0, 0), thickness + 2);
  cv::rectangle(rgb, cv::Point(x0, y0), cv::Point(x1, y1), cv::Scalar(255, 255, 255), thickness);
}

}  // namespace

void validate(const OverlayOptions& o) {
  check(std::isfinite(o.alpha) && o.alpha >= 0.0f && o.alpha <= 1.0f, "OverlayOptions",
        "alpha must be in [0, 1], got " + std::to_string(o.alpha));
  check(o.label_line_height == 0 || (o.label_line_height >= 6 && o.label_line_height <= 512),
        "OverlayOptions",
        "label_line_height must be 0 (automatic) or in [6, 512], got " +
            std::to_string(o.label_line_height));
  check(o.label_max_lines >= 1 && o.label_max_lines <= 64, "OverlayOptions",
        "label_max_lines must be in [1, 64], got " + std::to_string(o.label_max_lines));
}

Image render_overlay(const Image& original, const PatchGrid& grid, std::span<const float> weights,
                     const OverlayOptions& options) {
  validate(options);
  const int W = original.width, H = original.height;
  check(!original.empty() && original.rgb.size() == static_cast<size_t>(W) * H * 3,
        "render_overlay",
        "image " + size_str(W, H) + " is empty or its buffer holds " +
            std::to_string(original.rgb.size()) + " bytes");
  check(grid.image_width == W && grid.image_height == H, "render_overlay",
        "patch grid was made for a " + size_str(grid.image_width, grid.image_height) +
            " picture, the image is " + size_str(W, H));
  validate_attention(grid, weights, "render_overlay");
  const HeatMap heat = attention_heat_map(grid, weights, options.normalization);

  // Label strip layout first, so the output is allocated once at its final size.
  const int line_height =
      options.label_line_height > 0 ? options.label_line_height : std::clamp(W / 24, 14, 48);
  const int pad = line_height / 4;
  const std::vector<std::string> lines =
      options.label.empty() ? std::vector<std::string>{}
                            : label_text::wrap(options.label, std::max(1, W - 2 * pad), line_height,
                                               options.label_max_lines);
  const int strip_height =
      lines.empty() ? 0 : static_cast<int>(lines.size()) * line_height + 2 * pad;

  Image out;
  out.width = W;
  out.height = H + strip_height;
  out.rgb.assign(static_cast<size_t>(out.width) * out.height * 3, 0);  // strip background: black

  const std::array<Rgb, 256>& table = color_map_table(options.color_map);
  // Blend in 8-bit fixed point (alpha in 1/256 steps): integer maths is several times faster
  // than float here, alpha = 0 still gives the original exactly and alpha = 1 the colour.
  const int a = static_cast<int>(std::lround(options.alpha * 256.0f));
  const int keep = 256 - a;
  const size_t pixels = static_cast<size_t>(W) * H;
  const float* heat_values = heat.values.data();
  const uint8_t* src = original.rgb.data();
  uint8_t* dst = out.rgb.data();
  for (size_t i = 0; i < pixels; ++i) {
    // Per pixel, so +0.5 and a cast rather than std::lround's call: the heat values are in
    // [0, 1], where both round the same way.
    // NOLINTNEXTLINE(bugprone-incorrect-roundings)
    const Rgb& colour = table[static_cast<int>(heat_values[i] * 255.0f + 0.5f)];
    for (size_t ch = 0; ch < 3; ++ch)
      dst[i * 3 + ch] = static_cast<uint8_t>((src[i * 3 + ch] * keep + colour[ch] * a + 128) >> 8);
  }

  cv::Mat canvas(out.height, out.width, CV_8UC3, out.rgb.data());
  // Flat attention has no most-attended patch: outlining the first one would mislead.
  const auto [lowest, highest] = std::minmax_element(weights.begin(), weights.end());
  if (options.outline_argmax && *highest > *lowest) {
    cv::Mat picture = canvas.rowRange(0, H);
    outline_box(picture, grid.boxes[static_cast<size_t>(argmax_patch(weights))]);
  }
  for (size_t i = 0; i < lines.size(); ++i)
    label_text::draw_line(canvas, lines[i],
                          cv::Point(pad, H + pad + static_cast<int>(i) * line_height), W - 2 * pad,
                          line_height, Rgb{255, 255, 255}, false);
  return out;
}

}  // namespace glimpse::vision
