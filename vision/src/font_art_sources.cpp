// Art styles drawn from a font's glyphs: Noto's colour bitmaps, and an outline font's
// coverage inked as a sticker.
#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "art_sources.h"
#include "freetype_face.h"
#include "glimpse/core/error.h"
#include "glimpse/vision/scene_background.h"

namespace glimpse::vision {
namespace {

std::string describe(const SceneObject& o, ArtStyle style) {
  return "emoji '" + o.name + "' (" + art_style_name(style) + ")";
}

class ColourFontSource : public ArtSource {
 public:
  ColourFontSource(ArtStyle style, const std::string& font, const std::string& package)
      : style_(style), face_(font, package) {
    face_.select_first_strike();
  }
  ArtStyle style() const override { return style_; }
  bool has(const SceneObject& o) const override { return face_.has(o.codepoint); }

  // FreeType gives colour glyphs as premultiplied BGRA; sprites are premultiplied RGBA.
  Sprite load(const SceneObject& o) const override {
    const std::string what = describe(o, style_);
    const FT_Bitmap& bm = face_.render(o.codepoint, true, what);
    if (bm.pixel_mode != FT_PIXEL_MODE_BGRA)
      throw Error(what + ": glyph in '" + face_.path() + "' is not a colour (BGRA) bitmap");
    const int w = static_cast<int>(bm.width), h = static_cast<int>(bm.rows);
    std::vector<uint8_t> rgba(static_cast<size_t>(w) * h * 4);
    for (int y = 0; y < h; ++y) {
      const uint8_t* src = bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch;
      uint8_t* dst = rgba.data() + static_cast<size_t>(y) * w * 4;
      for (int x = 0; x < w; ++x) {
        dst[x * 4 + 0] = src[x * 4 + 2];
        dst[x * 4 + 1] = src[x * 4 + 1];
        dst[x * 4 + 2] = src[x * 4 + 0];
        dst[x * 4 + 3] = src[x * 4 + 3];
      }
    }
    return crop_to_visible(rgba.data(), w, h, static_cast<size_t>(w) * 4, what);
  }

 private:
  ArtStyle style_;
  mutable FreeTypeFace face_;
};

// Ink and halo of outline glyphs. The strokes are inked in the object's catalogue colour when
// it has one (captions say "a red apple", and the red and green apple differ only by it), else
// dark grey; a halo around them (a dilation of the coverage), white under dark inks and dark
// under light ones, keeps them visible on every background, like a sticker.
struct InkRgb {
  int r, g, b;
};
constexpr InkRgb kDefaultInk = {38, 38, 38};
constexpr InkRgb kLightHalo = {255, 255, 255};
constexpr InkRgb kDarkHalo = {30, 30, 30};
constexpr int kHaloPixels = kOutlineGlyphPixels / 32;

InkRgb ink_of(const SceneObject& o) {
  for (const NamedColour& c : background_palette())
    if (o.colour == c.name) return {c.r, c.g, c.b};
  return kDefaultInk;
}

InkRgb halo_under(InkRgb ink) {
  const int luma = (299 * ink.r + 587 * ink.g + 114 * ink.b) / 1000;
  return luma < 150 ? kLightHalo : kDarkHalo;
}

class OutlineFontSource : public ArtSource {
 public:
  OutlineFontSource(ArtStyle style, const std::string& font, const std::string& package)
      : style_(style), face_(font, package) {
    face_.set_pixel_size(kOutlineGlyphPixels);
  }
  ArtStyle style() const override { return style_; }
  bool has(const SceneObject& o) const override { return face_.has(o.codepoint); }

  Sprite load(const SceneObject& o) const override {
    const std::string what = describe(o, style_);
    const FT_Bitmap& bm = face_.render(o.codepoint, false, what);
    if (bm.pixel_mode != FT_PIXEL_MODE_GRAY)
      throw Error(what + ": glyph in '" + face_.path() + "' is not an 8-bit coverage bitmap");
    const int pad = kHaloPixels + 1;
    cv::Mat coverage = cv::Mat::zeros(static_cast<int>(bm.rows) + 2 * pad, static_cast<int>(bm.width) + 2 * pad, CV_8U);
    for (int y = 0; y < static_cast<int>(bm.rows); ++y)
      std::copy_n(bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch, bm.width, coverage.ptr<uint8_t>(y + pad) + pad);
    cv::Mat halo;
    cv::dilate(coverage, halo,
               cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * kHaloPixels + 1, 2 * kHaloPixels + 1)));
    const InkRgb ink = ink_of(o), under_ink = halo_under(ink);
    std::vector<uint8_t> rgba(static_cast<size_t>(coverage.total()) * 4);
    for (int y = 0; y < coverage.rows; ++y)
      for (int x = 0; x < coverage.cols; ++x) {
        // Ink over halo, premultiplied: C = ink·c + halo·h·(1 − c), A = c + h·(1 − c).
        const int c = coverage.at<uint8_t>(y, x), h = halo.at<uint8_t>(y, x);
        const int under = h * (255 - c) / 255;
        uint8_t* px = rgba.data() + (static_cast<size_t>(y) * coverage.cols + x) * 4;
        px[0] = static_cast<uint8_t>((ink.r * c + under_ink.r * under + 127) / 255);
        px[1] = static_cast<uint8_t>((ink.g * c + under_ink.g * under + 127) / 255);
        px[2] = static_cast<uint8_t>((ink.b * c + under_ink.b * under + 127) / 255);
        px[3] = static_cast<uint8_t>(std::min(255, c + under));
      }
    return crop_to_visible(rgba.data(), coverage.cols, coverage.rows, static_cast<size_t>(coverage.cols) * 4, what);
  }

 private:
  ArtStyle style_;
  mutable FreeTypeFace face_;
};

}  // namespace

std::unique_ptr<ArtSource> make_colour_font_source(ArtStyle style, const std::string& font,
                                                   const std::string& package) {
  return std::make_unique<ColourFontSource>(style, font, package);
}

std::unique_ptr<ArtSource> make_outline_font_source(ArtStyle style, const std::string& font,
                                                    const std::string& package) {
  return std::make_unique<OutlineFontSource>(style, font, package);
}

}  // namespace glimpse::vision
