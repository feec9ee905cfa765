// One art style's artwork, object by object: the one interface behind which the scene
// generator finds a colour-font glyph, an outline-font glyph, a PNG file or a rasterised SVG.
// A style may lack artwork for some catalogue objects (emojify.js predates many emoji);
// `has` tells which, cheaply, so a dataset can draw from the objects its styles cover.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glimpse/vision/art_style.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/sprite.h"

namespace glimpse::vision {

class ArtSource {
 public:
  virtual ~ArtSource() = default;
  virtual ArtStyle style() const = 0;
  // Whether this style draws `object` (a font cmap or file look-up; nothing is decoded).
  virtual bool has(const SceneObject& object) const = 0;
  // The artwork, premultiplied RGBA cropped to its visible pixels. Throws glimpse::Error
  // naming the object, the style and the file when the style lacks it or it is unreadable.
  // Not thread-safe (a font source shares one FreeType face).
  virtual Sprite load(const SceneObject& object) const = 0;
};

// Opens `style`'s font or folder. Throws glimpse::Error naming the path, and the package or
// script that installs it, when it is missing.
std::unique_ptr<ArtSource> make_art_source(ArtStyle style, const ArtPaths& paths = {});

// The catalogue objects that a list of styles draws, and the names of those left out.
struct ArtCoverage {
  SceneCatalogue catalogue;
  std::vector<std::string> left_out;  // catalogue names, in catalogue order
};

// One style: the objects it draws. Several: the objects the widest of them (most objects;
// the first on a tie) draws, so that every scene has at least one style that draws all of
// its objects.
ArtCoverage art_coverage(const SceneCatalogue& catalogue, const std::vector<const ArtSource*>& sources);

}  // namespace glimpse::vision
