// One font face opened with FreeType, for the styles whose artwork is a font's glyphs: a colour
// bitmap font (Noto's CBDT strikes) or an outline font rendered at a pixel size (Symbola).
#pragma once

#include <ft2build.h>
#include FT_FREETYPE_H

#include <string>

namespace glimpse::vision {

class FreeTypeFace {
 public:
  // Throws glimpse::Error naming `path` and `package` (what installs it) when FreeType cannot
  // open it.
  FreeTypeFace(const std::string& path, const std::string& package);
  ~FreeTypeFace();
  FreeTypeFace(const FreeTypeFace&) = delete;
  FreeTypeFace& operator=(const FreeTypeFace&) = delete;

  // Colour bitmap fonts have fixed strikes only; selects strike 0 (Noto's 109 ppem one).
  void select_first_strike();
  // Outline fonts: renders glyphs `pixels` pixels per em.
  void set_pixel_size(int pixels);

  bool has(char32_t cp) const { return FT_Get_Char_Index(face_, cp) != 0; }
  // Loads and renders the glyph of `cp` (colour glyphs when `colour`). The bitmap stays valid
  // until the next call. Throws glimpse::Error naming `what` and the font.
  const FT_Bitmap& render(char32_t cp, bool colour, const std::string& what);

  const std::string& path() const { return path_; }

 private:
  void release();

  std::string path_;
  FT_Library library_ = nullptr;
  FT_Face face_ = nullptr;
};

}  // namespace glimpse::vision
