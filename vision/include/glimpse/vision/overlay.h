// Attention overlay: the heat map of one attention vector (see heat_map.h), coloured with a
// perceptual colour map and alpha-blended over the original picture, optionally with the
// most-attended patch outlined and a text strip (the word, the caption) below.
#pragma once

#include <span>
#include <string>

#include "glimpse/vision/color_map.h"
#include "glimpse/vision/heat_map.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::vision {

struct OverlayOptions {
  ColorMap color_map = ColorMap::Inferno;
  Normalization normalization = Normalization::Max;
  float alpha = 0.5f;  // weight of the heat colour: 0 = the original picture, 1 = colours only
  bool outline_argmax = false;  // draw the box of the most-attended patch (none if all equal)
  // Non-empty: a strip below the picture with this text, word-wrapped (at most
  // `label_max_lines` lines). Hershey font: printable ASCII; other characters show as '?'.
  std::string label;
  int label_line_height = 0;  // pixels per text line; 0 = from the picture width (14..48)
  int label_max_lines = 4;
};

// Throws glimpse::Error naming the field unless alpha is in [0, 1] and the label sizes are sane.
void validate(const OverlayOptions& options);

// `weights` is row-major over grid.rows × grid.cols (rows*cols finite, non-negative values);
// `grid` must be the geometry prepare_image() produced for `original`. The result has the
// original's size, plus the label strip's height when a label is given. Throws glimpse::Error
// naming render_overlay and the sizes on any mismatch.
Image render_overlay(const Image& original, const PatchGrid& grid, std::span<const float> weights,
                     const OverlayOptions& options = {});

}  // namespace glimpse::vision
