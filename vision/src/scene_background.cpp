#include "glimpse/vision/scene_background.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"
#include "scene_random.h"

namespace glimpse::vision {
namespace {

constexpr float kDotRadius = 0.27f;  // of the texture period

// Rounds to the nearest byte (a cast after +0.5: this runs for every pixel, lround would not
// be inlined).
uint8_t to_byte(float v) {
  // NOLINTNEXTLINE(bugprone-incorrect-roundings): non-negative after the clamp, see above
  return static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f) + 0.5f);
}

struct RgbFloat {
  float r, g, b;
};

RgbFloat palette_colour(int index, const int offset[3]) {
  const auto& palette = background_palette();
  check(index >= 0 && index < static_cast<int>(palette.size()), "background",
        "palette index " + std::to_string(index) + " out of range");
  const NamedColour& c = palette[static_cast<size_t>(index)];
  return {static_cast<float>(c.r + offset[0]), static_cast<float>(c.g + offset[1]),
          static_cast<float>(c.b + offset[2])};
}

RgbFloat mix(RgbFloat a, RgbFloat b, float t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

// The second tone of a texture: lighter on dark colours, darker on light ones, so the pattern
// stays visible without changing the colour's name.
RgbFloat texture_tone(RgbFloat c) {
  const float luma = 0.299f * c.r + 0.587f * c.g + 0.114f * c.b;
  return luma < 140.0f ? mix(c, {255, 255, 255}, 0.35f) : mix(c, {0, 0, 0}, 0.22f);
}

void put(Image& out, int x, int y, RgbFloat c) {
  uint8_t* p = out.pixel(x, y);
  p[0] = to_byte(c.r);
  p[1] = to_byte(c.g);
  p[2] = to_byte(c.b);
}

// Smooth luminance noise: a coarse random grid upsampled bicubically, plus fine grain.
std::vector<float> smooth_noise(uint64_t seed, int canvas) {
  Rng rng(seed);
  const int cells = 5 + scene_random::below(rng, 6);
  cv::Mat coarse(cells, cells, CV_32F);
  for (int y = 0; y < cells; ++y)
    for (int x = 0; x < cells; ++x) coarse.at<float>(y, x) = rng.uniform(-35.0f, 35.0f);
  cv::Mat fine;
  cv::resize(coarse, fine, cv::Size(canvas, canvas), 0, 0, cv::INTER_CUBIC);
  std::vector<float> out(static_cast<size_t>(canvas) * canvas);
  for (int y = 0; y < canvas; ++y)
    for (int x = 0; x < canvas; ++x)
      out[static_cast<size_t>(y) * canvas + x] = fine.at<float>(y, x) + rng.uniform(-8.0f, 8.0f);
  return out;
}

}  // namespace

const std::vector<NamedColour>& background_palette() {
  static const std::vector<NamedColour> palette = {
      {"red", 200, 45, 45},     {"green", 55, 150, 65},    {"blue", 45, 95, 200},
      {"yellow", 240, 215, 70}, {"orange", 240, 145, 45},  {"purple", 125, 65, 165},
      {"pink", 240, 160, 195},  {"brown", 125, 85, 55},    {"white", 245, 245, 245},
      {"black", 30, 30, 30},    {"grey", 130, 130, 130},
  };
  return palette;
}

const char* background_kind_name(BackgroundKind kind) {
  switch (kind) {
    case BackgroundKind::Flat: return "flat";
    case BackgroundKind::Gradient: return "gradient";
    case BackgroundKind::Texture: return "texture";
    case BackgroundKind::Noise: return "noise";
  }
  return "?";
}

const char* texture_pattern_adjective(TexturePattern p) {
  switch (p) {
    case TexturePattern::Stripes: return "striped";
    case TexturePattern::Checks: return "checked";
    case TexturePattern::Dots: return "dotted";
  }
  return "?";
}

BackgroundSpec sample_background(Rng& rng) {
  using namespace scene_random;
  BackgroundSpec s;
  const int n = static_cast<int>(background_palette().size());
  s.kind = static_cast<BackgroundKind>(weighted(rng, {0.35f, 0.25f, 0.2f, 0.2f}));
  s.colour = below(rng, n);
  s.colour2 = (s.colour + 1 + below(rng, n - 1)) % n;  // a different colour
  s.pattern = static_cast<TexturePattern>(below(rng, 3));
  s.angle = rng.uniform(0.0f, 2.0f * std::numbers::pi_v<float>);
  s.period = rng.uniform(8.0f, 20.0f);
  // Near-white and near-black stay recognisable only with a small shift.
  for (int& o : s.offset) o = below(rng, 25) - 12;
  s.noise_seed = rng.next();
  return s;
}

void render_background(const BackgroundSpec& spec, int canvas, Image& out) {
  check(canvas >= 8, "render_background", "canvas " + std::to_string(canvas) + " px is too small");
  out.width = out.height = canvas;
  out.rgb.resize(static_cast<size_t>(canvas) * canvas * 3);
  const RgbFloat a = palette_colour(spec.colour, spec.offset);
  const float cx = 0.5f * canvas, cy = 0.5f * canvas;
  const float ca = std::cos(spec.angle), sa = std::sin(spec.angle);
  const float period = spec.period * static_cast<float>(canvas) / 128.0f;
  switch (spec.kind) {
    case BackgroundKind::Flat:
      put(out, 0, 0, a);
      for (size_t i = 3; i < out.rgb.size(); ++i) out.rgb[i] = out.rgb[i - 3];
      break;
    case BackgroundKind::Gradient: {
      const RgbFloat b = palette_colour(spec.colour2, spec.offset);
      const float half = 0.5f * canvas * (std::fabs(ca) + std::fabs(sa));
      for (int y = 0; y < canvas; ++y)
        for (int x = 0; x < canvas; ++x) {
          const float d = ((x + 0.5f - cx) * ca + (y + 0.5f - cy) * sa) / half;  // [-1, 1]
          put(out, x, y, mix(a, b, std::clamp(0.5f * (d + 1.0f), 0.0f, 1.0f)));
        }
      break;
    }
    case BackgroundKind::Texture: {
      const RgbFloat b = texture_tone(a);
      for (int y = 0; y < canvas; ++y)
        for (int x = 0; x < canvas; ++x) {
          bool second = false;
          if (spec.pattern == TexturePattern::Stripes) {
            const float u = ((x + 0.5f) * ca + (y + 0.5f) * sa) / period;
            second = u - std::floor(u) < 0.5f;
          } else if (spec.pattern == TexturePattern::Checks) {
            const int i = static_cast<int>(std::floor((x + 0.5f) / period));
            const int j = static_cast<int>(std::floor((y + 0.5f) / period));
            second = ((i + j) & 1) != 0;
          } else {
            const float u = (x + 0.5f) / period, v = (y + 0.5f) / period;
            const float du = u - std::floor(u) - 0.5f, dv = v - std::floor(v) - 0.5f;
            second = du * du + dv * dv < kDotRadius * kDotRadius;
          }
          put(out, x, y, second ? b : a);
        }
      break;
    }
    case BackgroundKind::Noise: {
      const std::vector<float> n = smooth_noise(spec.noise_seed, canvas);
      for (int y = 0; y < canvas; ++y)
        for (int x = 0; x < canvas; ++x) {
          const float d = n[static_cast<size_t>(y) * canvas + x];
          put(out, x, y, {a.r + d, a.g + d, a.b + d});
        }
      break;
    }
  }
}

}  // namespace glimpse::vision
