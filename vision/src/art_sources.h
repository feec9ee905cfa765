// The kinds of ArtSource behind make_art_source: glyphs of a font, and files in a folder
// (PNG, or SVG rasterised once through SvgRasterCache). Internal to glimpse_vision.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "glimpse/vision/art_source.h"

namespace glimpse::vision {

// Noto Color Emoji: the colour bitmap (CBDT) glyph of the object's code point.
std::unique_ptr<ArtSource> make_colour_font_source(ArtStyle style, const std::string& font,
                                                   const std::string& package);

// An outline (monochrome) font such as Symbola: the glyph rendered at kOutlineGlyphPixels,
// inked in the object's catalogue colour (else dark grey) on a contrasting halo, so that it
// reads on every scene background and colour captions stay true.
constexpr int kOutlineGlyphPixels = 128;
std::unique_ptr<ArtSource> make_outline_font_source(ArtStyle style, const std::string& font,
                                                    const std::string& package);

// The candidate file names of an object's artwork, best first (empty: the style has none).
using ArtFileNamer = std::function<std::vector<std::string>(const SceneObject&)>;

// Files in `dir`, named by `namer`; "*.svg" files are rasterised to kSvgPixels-pixel PNGs
// under `svg_cache_dir` once. `install_hint` says what installs the folder.
constexpr int kSvgPixels = 128;
std::unique_ptr<ArtSource> make_file_source(ArtStyle style, const std::string& dir, ArtFileNamer namer,
                                            const std::string& install_hint,
                                            const std::string& svg_cache_dir);

}  // namespace glimpse::vision
