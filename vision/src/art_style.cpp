#include "glimpse/vision/art_style.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "glimpse/core/error.h"

namespace glimpse::vision {

const char* art_style_name(ArtStyle style) {
  switch (style) {
    case ArtStyle::Noto: return "noto";
    case ArtStyle::EmojiOne: return "emojione";
    case ArtStyle::OpenMoji: return "openmoji";
    case ArtStyle::FluentFlat: return "fluent-flat";
    case ArtStyle::FluentModern: return "fluent-modern";
    case ArtStyle::Symbola: return "symbola";
    case ArtStyle::Emojify: return "emojify";
  }
  return "?";
}

const std::vector<ArtStyle>& all_art_styles() {
  static const std::vector<ArtStyle> all = {ArtStyle::Noto,       ArtStyle::EmojiOne,     ArtStyle::OpenMoji,
                                            ArtStyle::FluentFlat, ArtStyle::FluentModern, ArtStyle::Symbola,
                                            ArtStyle::Emojify};
  return all;
}

const std::vector<ArtStyle>& training_art_styles() {
  static const std::vector<ArtStyle> training = [] {
    std::vector<ArtStyle> s;
    for (const ArtStyle a : all_art_styles())
      if (a != ArtStyle::EmojiOne) s.push_back(a);
    return s;
  }();
  return training;
}

ArtStyle art_style_from_name(const std::string& name) {
  for (const ArtStyle s : all_art_styles())
    if (name == art_style_name(s)) return s;
  throw Error("art style '" + name + "': expected one of " + art_styles_name(all_art_styles()) +
              " (or mixed, or a comma list)");
}

std::vector<ArtStyle> parse_art_styles(const std::string& spec) {
  if (spec == "mixed") return training_art_styles();
  std::vector<ArtStyle> styles;
  size_t start = 0;
  while (true) {
    const size_t comma = spec.find(',', start);
    const std::string name = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) throw Error("art styles '" + spec + "': empty style name in the list");
    const ArtStyle s = art_style_from_name(name);
    if (std::find(styles.begin(), styles.end(), s) != styles.end())
      throw Error("art styles '" + spec + "': '" + name + "' is listed twice");
    styles.push_back(s);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return styles;
}

std::string art_styles_name(const std::vector<ArtStyle>& styles) {
  std::string out;
  for (const ArtStyle s : styles) {
    if (!out.empty()) out += ',';
    out += art_style_name(s);
  }
  return out;
}

std::string ArtPaths::openmoji_dir() const {
  return (std::filesystem::path(npm_dir) / "openmoji" / "color" / "svg").string();
}

std::string ArtPaths::fluent_dir(ArtStyle fluent) const {
  check(fluent == ArtStyle::FluentFlat || fluent == ArtStyle::FluentModern, "ArtPaths::fluent_dir",
        std::string("'") + art_style_name(fluent) + "' is not a Fluent style");
  return (std::filesystem::path(npm_dir) / "fluentui-emoji" / "icons" /
          (fluent == ArtStyle::FluentFlat ? "flat" : "modern"))
      .string();
}

std::string ArtPaths::resolved_art_cache_dir() const {
  if (!art_cache_dir.empty()) return art_cache_dir;
  namespace fs = std::filesystem;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return (fs::path(xdg) / "glimpse" / "art").string();
  if (const char* home = std::getenv("HOME"); home && *home)
    return (fs::path(home) / ".cache" / "glimpse" / "art").string();
  return (fs::temp_directory_path() / "glimpse-art-cache").string();
}

}  // namespace glimpse::vision
