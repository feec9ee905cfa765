// Backgrounds of generated scenes: flat, gradient, texture (stripes, checks, dots) and noise,
// all built from a palette of named colours so that captions can say "on a blue background".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/core/random.h"
#include "glimpse/vision/image.h"

namespace glimpse::vision {

struct NamedColour {
  const char* name;
  uint8_t r, g, b;
};

// The background colours, each with the word captions use for it.
const std::vector<NamedColour>& background_palette();

enum class BackgroundKind { Flat, Gradient, Texture, Noise };
enum class TexturePattern { Stripes, Checks, Dots };

const char* background_kind_name(BackgroundKind kind);  // "flat" | "gradient" | "texture" | "noise"
const char* texture_pattern_adjective(TexturePattern p);  // "striped" | "checked" | "dotted"

struct BackgroundSpec {
  BackgroundKind kind = BackgroundKind::Flat;
  int colour = 0;   // palette index: the colour, or where a gradient starts
  int colour2 = 0;  // palette index where a gradient ends
  TexturePattern pattern = TexturePattern::Stripes;
  float angle = 0.0f;    // gradient or stripe direction, radians
  float period = 16.0f;  // texture period, as a fraction of 128 px (scaled with the canvas)
  int offset[3] = {0, 0, 0};  // per-channel shift of the palette colour (variety within a name)
  uint64_t noise_seed = 0;
};

BackgroundSpec sample_background(Rng& rng);

// Fills `out` (resized to canvas x canvas) with the background.
void render_background(const BackgroundSpec& spec, int canvas, Image& out);

}  // namespace glimpse::vision
