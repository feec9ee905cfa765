#include "glimpse/vision/color_map.h"

#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

int opencv_color_map(ColorMap map) {
  switch (map) {
    case ColorMap::Viridis: return cv::COLORMAP_VIRIDIS;
    case ColorMap::Inferno: return cv::COLORMAP_INFERNO;
    case ColorMap::Turbo: return cv::COLORMAP_TURBO;
  }
  throw Error("color_map_table: invalid ColorMap value " + std::to_string(static_cast<int>(map)));
}

// Runs OpenCV's colour map over the ramp 0..255 once and keeps the result in RGB order.
std::array<Rgb, 256> build_table(ColorMap map) {
  cv::Mat ramp(1, 256, CV_8UC1);
  for (int i = 0; i < 256; ++i) ramp.at<uint8_t>(0, i) = static_cast<uint8_t>(i);
  cv::Mat bgr;
  cv::applyColorMap(ramp, bgr, opencv_color_map(map));
  std::array<Rgb, 256> table{};
  for (int i = 0; i < 256; ++i) {
    const cv::Vec3b& c = bgr.at<cv::Vec3b>(0, i);
    table[i] = {c[2], c[1], c[0]};
  }
  return table;
}

}  // namespace

const char* color_map_name(ColorMap map) {
  switch (map) {
    case ColorMap::Viridis: return "viridis";
    case ColorMap::Inferno: return "inferno";
    case ColorMap::Turbo: return "turbo";
  }
  return "?";
}

ColorMap color_map_from_name(const std::string& name) {
  if (name == "viridis") return ColorMap::Viridis;
  if (name == "inferno") return ColorMap::Inferno;
  if (name == "turbo") return ColorMap::Turbo;
  throw Error("color map: unknown name '" + name + "' (expected viridis, inferno or turbo)");
}

const std::array<Rgb, 256>& color_map_table(ColorMap map) {
  // Built on first use; function-local statics are initialised thread-safely.
  static const std::array<Rgb, 256> viridis = build_table(ColorMap::Viridis);
  static const std::array<Rgb, 256> inferno = build_table(ColorMap::Inferno);
  static const std::array<Rgb, 256> turbo = build_table(ColorMap::Turbo);
  switch (map) {
    case ColorMap::Viridis: return viridis;
    case ColorMap::Inferno: return inferno;
    case ColorMap::Turbo: return turbo;
  }
  throw Error("color_map_table: invalid ColorMap value " + std::to_string(static_cast<int>(map)));
}

}  // namespace glimpse::vision
