#include "freetype_face.h"

#include "glimpse/core/error.h"

namespace glimpse::vision {

FreeTypeFace::FreeTypeFace(const std::string& path, const std::string& package) : path_(path) {
  if (FT_Init_FreeType(&library_) != 0) throw Error("FreeType: cannot initialise");
  if (FT_New_Face(library_, path.c_str(), 0, &face_) != 0) {
    release();
    throw Error("font '" + path + "': FreeType cannot open it (is " + package + " installed?)");
  }
}

FreeTypeFace::~FreeTypeFace() { release(); }

void FreeTypeFace::release() {
  if (face_) FT_Done_Face(face_);
  if (library_) FT_Done_FreeType(library_);
  face_ = nullptr;
  library_ = nullptr;
}

void FreeTypeFace::select_first_strike() {
  if (face_->num_fixed_sizes < 1 || FT_Select_Size(face_, 0) != 0)
    throw Error("font '" + path_ + "': has no bitmap strike to select");
}

void FreeTypeFace::set_pixel_size(int pixels) {
  if (!FT_IS_SCALABLE(face_) || FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(pixels)) != 0)
    throw Error("font '" + path_ + "': cannot be rendered at " + std::to_string(pixels) + " px");
}

const FT_Bitmap& FreeTypeFace::render(char32_t cp, bool colour, const std::string& what) {
  const FT_UInt index = FT_Get_Char_Index(face_, cp);
  if (index == 0) throw Error(what + ": not in the cmap of '" + path_ + "'");
  if (FT_Load_Glyph(face_, index, colour ? FT_LOAD_COLOR : FT_LOAD_RENDER) != 0)
    throw Error(what + ": FreeType cannot load its glyph from '" + path_ + "'");
  if (face_->glyph->format != FT_GLYPH_FORMAT_BITMAP &&
      FT_Render_Glyph(face_->glyph, FT_RENDER_MODE_NORMAL) != 0)
    throw Error(what + ": FreeType cannot render its glyph from '" + path_ + "'");
  return face_->glyph->bitmap;
}

}  // namespace glimpse::vision
