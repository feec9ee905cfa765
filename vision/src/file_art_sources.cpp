// Art styles drawn from one file per object in a folder: PNGs as they are, SVGs rasterised
// once into the art cache.
#include <filesystem>

#include "art_sources.h"
#include "glimpse/core/error.h"
#include "svg_raster_cache.h"

namespace glimpse::vision {
namespace {

namespace fs = std::filesystem;

class FileSource : public ArtSource {
 public:
  FileSource(ArtStyle style, const std::string& dir, ArtFileNamer namer, const std::string& install_hint,
             const std::string& svg_cache_dir)
      : style_(style),
        dir_(dir),
        namer_(std::move(namer)),
        install_hint_(install_hint),
        svg_cache_((fs::path(svg_cache_dir) / art_style_name(style) / std::to_string(kSvgPixels)).string(),
                   kSvgPixels) {
    if (!fs::is_directory(dir))
      throw Error(std::string("art style '") + art_style_name(style) + "': artwork folder '" + dir +
                  "' not found (" + install_hint + ")");
  }

  ArtStyle style() const override { return style_; }
  bool has(const SceneObject& o) const override { return !file_of(o).empty(); }

  Sprite load(const SceneObject& o) const override {
    const std::string what = "emoji '" + o.name + "' (" + art_style_name(style_) + ")";
    const std::string file = file_of(o);
    if (file.empty()) {
      const auto names = namer_(o);
      throw Error(what + ": no artwork in '" + dir_ + "'" +
                  (names.empty() ? std::string(" (the style has no name for it)")
                                 : " (looked for " + names.front() + (names.size() > 1 ? " and others)" : ")")));
    }
    const bool svg = fs::path(file).extension() == ".svg";
    return load_image_sprite(svg ? svg_cache_.png_for(file) : file, what, install_hint_);
  }

 private:
  // The first candidate file that exists; empty when none does.
  std::string file_of(const SceneObject& o) const {
    for (const auto& name : namer_(o)) {
      const fs::path p = fs::path(dir_) / name;
      if (fs::is_regular_file(p)) return p.string();
    }
    return {};
  }

  ArtStyle style_;
  std::string dir_;
  ArtFileNamer namer_;
  std::string install_hint_;
  SvgRasterCache svg_cache_;
};

}  // namespace

std::unique_ptr<ArtSource> make_file_source(ArtStyle style, const std::string& dir, ArtFileNamer namer,
                                            const std::string& install_hint,
                                            const std::string& svg_cache_dir) {
  return std::make_unique<FileSource>(style, dir, std::move(namer), install_hint, svg_cache_dir);
}

}  // namespace glimpse::vision
