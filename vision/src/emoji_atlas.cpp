#include "glimpse/vision/emoji_atlas.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

// Crops a premultiplied RGBA image (rows of `pitch` bytes) to its pixels with alpha > 0.
Sprite crop_to_visible(const uint8_t* rgba, int width, int height, size_t pitch,
                       const std::string& what) {
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = rgba + y * pitch;
    for (int x = 0; x < width; ++x) {
      if (row[x * 4 + 3] == 0) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) throw Error(what + ": artwork is fully transparent");
  Sprite s;
  s.width = x1 - x0 + 1;
  s.height = y1 - y0 + 1;
  s.rgba.resize(static_cast<size_t>(s.width) * s.height * 4);
  for (int y = 0; y < s.height; ++y)
    std::copy_n(rgba + (y0 + y) * pitch + x0 * 4, s.width * 4,
                s.rgba.data() + static_cast<size_t>(y) * s.width * 4);
  return s;
}

class FreeTypeFace {
 public:
  explicit FreeTypeFace(const std::string& path) : path_(path) {
    if (FT_Init_FreeType(&library_) != 0) throw Error("FreeType: cannot initialise");
    if (FT_New_Face(library_, path.c_str(), 0, &face_) != 0) {
      release();
      throw Error("emoji font '" + path + "': FreeType cannot open it (is fonts-noto-color-emoji "
                  "installed?)");
    }
    // A CBDT font has fixed bitmap strikes only; strike 0 is Noto's 109 ppem one.
    if (face_->num_fixed_sizes < 1 || FT_Select_Size(face_, 0) != 0) {
      release();
      throw Error("emoji font '" + path + "': has no bitmap strike to select");
    }
  }
  ~FreeTypeFace() { release(); }
  FreeTypeFace(const FreeTypeFace&) = delete;
  FreeTypeFace& operator=(const FreeTypeFace&) = delete;

  // The colour glyph of `cp`, BGRA premultiplied (FreeType's convention), as RGBA premultiplied.
  Sprite render(char32_t cp, const std::string& what) {
    const FT_UInt index = FT_Get_Char_Index(face_, cp);
    if (index == 0) throw Error(what + ": not in the cmap of '" + path_ + "'");
    if (FT_Load_Glyph(face_, index, FT_LOAD_COLOR) != 0)
      throw Error(what + ": FreeType cannot load its glyph from '" + path_ + "'");
    const FT_Bitmap& bm = face_->glyph->bitmap;
    if (bm.pixel_mode != FT_PIXEL_MODE_BGRA)
      throw Error(what + ": glyph in '" + path_ + "' is not a colour (BGRA) bitmap");
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
  void release() {
    if (face_) FT_Done_Face(face_);
    if (library_) FT_Done_FreeType(library_);
    face_ = nullptr;
    library_ = nullptr;
  }

  std::string path_;
  FT_Library library_ = nullptr;
  FT_Face face_ = nullptr;
};

// An EmojiOne PNG (straight alpha, possibly palette or without alpha) as premultiplied RGBA.
Sprite load_png_sprite(const std::string& path, const std::string& what) {
  if (!std::filesystem::is_regular_file(path))
    throw Error(what + ": artwork '" + path + "' not found (is ruby-gemojione installed?)");
  cv::Mat m = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (m.empty()) throw Error(what + ": cannot decode '" + path + "'");
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257.0);
  if (m.depth() != CV_8U) throw Error(what + ": '" + path + "' has an unsupported pixel depth");
  cv::Mat bgra;
  switch (m.channels()) {
    case 1: cv::cvtColor(m, bgra, cv::COLOR_GRAY2BGRA); break;
    case 3: cv::cvtColor(m, bgra, cv::COLOR_BGR2BGRA); break;
    case 4: bgra = m; break;
    default: throw Error(what + ": '" + path + "' has " + std::to_string(m.channels()) + " channels");
  }
  std::vector<uint8_t> rgba(static_cast<size_t>(bgra.cols) * bgra.rows * 4);
  for (int y = 0; y < bgra.rows; ++y) {
    const uint8_t* src = bgra.ptr<uint8_t>(y);
    uint8_t* dst = rgba.data() + static_cast<size_t>(y) * bgra.cols * 4;
    for (int x = 0; x < bgra.cols; ++x) {
      const int a = src[x * 4 + 3];
      dst[x * 4 + 0] = static_cast<uint8_t>((src[x * 4 + 2] * a + 127) / 255);
      dst[x * 4 + 1] = static_cast<uint8_t>((src[x * 4 + 1] * a + 127) / 255);
      dst[x * 4 + 2] = static_cast<uint8_t>((src[x * 4 + 0] * a + 127) / 255);
      dst[x * 4 + 3] = static_cast<uint8_t>(a);
    }
  }
  return crop_to_visible(rgba.data(), bgra.cols, bgra.rows, static_cast<size_t>(bgra.cols) * 4,
                         what);
}

cv::Mat as_mat(const Sprite& s) {
  return cv::Mat(s.height, s.width, CV_8UC4, const_cast<uint8_t*>(s.rgba.data()));
}

Sprite from_mat(const cv::Mat& m) {
  Sprite s;
  s.width = m.cols;
  s.height = m.rows;
  s.rgba.resize(static_cast<size_t>(m.cols) * m.rows * 4);
  for (int y = 0; y < m.rows; ++y)
    std::copy_n(m.ptr<uint8_t>(y), m.cols * 4, s.rgba.data() + static_cast<size_t>(y) * m.cols * 4);
  return s;
}

}  // namespace

const char* art_style_name(ArtStyle style) {
  return style == ArtStyle::Noto ? "noto" : "emojione";
}

ArtStyle art_style_from_name(const std::string& name) {
  if (name == "noto") return ArtStyle::Noto;
  if (name == "emojione") return ArtStyle::EmojiOne;
  throw Error("art style '" + name + "': expected noto or emojione");
}

EmojiAtlas::EmojiAtlas(const SceneCatalogue& catalogue, ArtStyle style, const ArtPaths& paths,
                       size_t cache_bytes)
    : style_(style), cache_limit_(cache_bytes) {
  glyphs_.reserve(catalogue.objects.size());
  if (style == ArtStyle::Noto) {
    FreeTypeFace face(paths.noto_font);
    for (const auto& o : catalogue.objects)
      glyphs_.push_back(face.render(o.codepoint, "emoji '" + o.name + "' (noto)"));
  } else {
    for (const auto& o : catalogue.objects)
      glyphs_.push_back(load_png_sprite(
          (std::filesystem::path(paths.emojione_dir) / o.emojione_png).string(),
          "emoji '" + o.name + "' (emojione)"));
  }
}

const Sprite& EmojiAtlas::glyph(int object) const {
  check(object >= 0 && object < size(), "EmojiAtlas::glyph",
        "object " + std::to_string(object) + " out of range [0, " + std::to_string(size()) + ")");
  return glyphs_[static_cast<size_t>(object)];
}

std::shared_ptr<const Sprite> EmojiAtlas::scaled(int object, int longer_side) const {
  const Sprite& base = glyph(object);
  check(longer_side >= 1 && longer_side <= 8192, "EmojiAtlas::scaled",
        "size " + std::to_string(longer_side) + " px out of range [1, 8192]");
  const uint64_t key = (static_cast<uint64_t>(object) << 32) | static_cast<uint32_t>(longer_side);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto sprite = std::make_shared<const Sprite>(scale_sprite(base, longer_side));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  const size_t bytes = sprite->rgba.size();
  if (cache_used_ + bytes <= cache_limit_) {
    const auto [it, inserted] = cache_.emplace(key, sprite);
    if (inserted) cache_used_ += bytes;
    return it->second;
  }
  return sprite;
}

Sprite scale_sprite(const Sprite& sprite, int longer_side) {
  const int longer = std::max(sprite.width, sprite.height);
  const double f = static_cast<double>(longer_side) / longer;
  const int w = std::max(1, static_cast<int>(std::lround(sprite.width * f)));
  const int h = std::max(1, static_cast<int>(std::lround(sprite.height * f)));
  cv::Mat out;
  cv::resize(as_mat(sprite), out, cv::Size(w, h), 0, 0, f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return from_mat(out);
}

Sprite rotate_sprite(const Sprite& sprite, float degrees) {
  const double rad = degrees * 3.14159265358979323846 / 180.0;
  const double c = std::fabs(std::cos(rad)), s = std::fabs(std::sin(rad));
  const int w = static_cast<int>(std::ceil(sprite.width * c + sprite.height * s)) + 2;
  const int h = static_cast<int>(std::ceil(sprite.width * s + sprite.height * c)) + 2;
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(0.5f * (sprite.width - 1), 0.5f * (sprite.height - 1)),
                                      degrees, 1.0);
  m.at<double>(0, 2) += 0.5 * (w - sprite.width);
  m.at<double>(1, 2) += 0.5 * (h - sprite.height);
  cv::Mat out;
  cv::warpAffine(as_mat(sprite), out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0, 0, 0, 0));
  return from_mat(out);
}

}  // namespace glimpse::vision
