// SVG artwork rasterised once, by rsvg-convert (Debian's librsvg2-bin), into PNG files under a
// cache folder, so that loading an SVG style costs what loading a PNG style does. A separate
// program rather than librsvg linked in: one small run-time package instead of the GLib/Cairo
// development stack, and a first run of ~10-25 ms per SVG that later runs never repeat.
#pragma once

#include <string>

namespace glimpse::vision {

class SvgRasterCache {
 public:
  // PNGs of side `pixels` (aspect kept, fitted into a square) under `dir`.
  SvgRasterCache(std::string dir, int pixels);

  // The PNG of `svg`: rasterised now when it is missing or older than `svg`. Written through
  // a temporary file and a rename, so a concurrent run never reads half a PNG. Throws
  // glimpse::Error naming the files when rsvg-convert is missing or fails.
  std::string png_for(const std::string& svg) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int pixels_;
};

}  // namespace glimpse::vision
