// Perceptual colour maps for attention heat maps: a 256-entry table per map, taken from
// OpenCV's cv::applyColorMap so the colours are the published viridis / inferno / turbo ones.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace glimpse::vision {

enum class ColorMap {
  Viridis,  // dark blue → green → yellow; perceptually uniform, colour-blind safe
  Inferno,  // black → purple → orange → pale yellow; perceptually uniform, high contrast
  Turbo,    // blue → green → red; vivid rainbow, not perceptually uniform
};

const char* color_map_name(ColorMap map);
// "viridis", "inferno" or "turbo"; throws glimpse::Error naming the unknown name.
ColorMap color_map_from_name(const std::string& name);

using Rgb = std::array<uint8_t, 3>;

// Entry 0 is the colour of weight 0, entry 255 the colour of the highest weight.
const std::array<Rgb, 256>& color_map_table(ColorMap map);

}  // namespace glimpse::vision
