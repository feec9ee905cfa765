// make_art_source: which kind of source each style is, and how its files are named.
#include "glimpse/vision/art_source.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "art_sources.h"
#include "emojify_names.h"
#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

const char* const kNpmHint = "run scripts/setup.sh: it installs the npm packages into third_party/npm";

// "1F436": code points as OpenMoji and EmojiOne name their files (upper-case hex).
std::string hex_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(cp));
  return buf;
}

// Fluent Emoji's file name for a CLDR name, as the package derives it: lower case, apostrophes
// dropped ("woman’s boot" -> "womans-boot"), accented Latin letters unaccented ("piñata" ->
// "pinata"), every other run of non-alphanumerics one '-'.
std::string fluent_file_stem(const std::string& cldr_name) {
  static const std::pair<const char*, char> accents[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"å", 'a'}, {"ç", 'c'}, {"é", 'e'},
      {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"í", 'i'}, {"î", 'i'}, {"ï", 'i'}, {"ñ", 'n'}, {"ó", 'o'},
      {"ô", 'o'}, {"ö", 'o'}, {"õ", 'o'}, {"ú", 'u'}, {"û", 'u'}, {"ü", 'u'}};
  std::string out;
  bool dash = false;
  for (size_t i = 0; i < cldr_name.size();) {
    const unsigned char c = static_cast<unsigned char>(cldr_name[i]);
    if (c == '\'') {
      ++i;
      continue;
    }
    if (cldr_name.compare(i, 3, "\u2019") == 0) {  // ’ in UTF-8
      i += 3;
      continue;
    }
    char letter = 0;
    size_t used = 1;
    if (std::isalnum(c)) {
      letter = static_cast<char>(std::tolower(c));
    } else {
      for (const auto& [accented, plain] : accents) {
        const size_t n = std::char_traits<char>::length(accented);
        if (cldr_name.compare(i, n, accented) == 0) {
          letter = plain;
          used = n;
          break;
        }
      }
    }
    i += used;
    if (letter == 0) {
      dash = !out.empty();
      continue;
    }
    if (dash) out += '-';
    dash = false;
    out += letter;
  }
  return out;
}

std::unique_ptr<ArtSource> make_emojify_source(const ArtPaths& paths) {
  auto names = std::make_shared<const EmojifyNames>(paths.gemoji_index, paths.emoji_test);
  return make_file_source(
      ArtStyle::Emojify, paths.emojify_dir,
      [names](const SceneObject& o) { return names->file_names(o.codepoint); },
      "is libjs-emojify installed? scripts/setup.sh installs it", paths.resolved_art_cache_dir());
}

}  // namespace

std::unique_ptr<ArtSource> make_art_source(ArtStyle style, const ArtPaths& paths) {
  const std::string cache = paths.resolved_art_cache_dir();
  switch (style) {
    case ArtStyle::Noto:
      return make_colour_font_source(style, paths.noto_font, "fonts-noto-color-emoji");
    case ArtStyle::Symbola:
      return make_outline_font_source(style, paths.symbola_font, "fonts-symbola");
    case ArtStyle::EmojiOne:
      return make_file_source(
          style, paths.emojione_dir, [](const SceneObject& o) { return std::vector<std::string>{o.emojione_png}; },
          "is ruby-gemojione installed?", cache);
    case ArtStyle::OpenMoji:
      return make_file_source(
          style, paths.openmoji_dir(),
          [](const SceneObject& o) { return std::vector<std::string>{hex_name(o.codepoint) + ".svg"}; }, kNpmHint,
          cache);
    case ArtStyle::FluentFlat:
    case ArtStyle::FluentModern:
      return make_file_source(
          style, paths.fluent_dir(style),
          [](const SceneObject& o) { return std::vector<std::string>{fluent_file_stem(o.cldr_name) + ".svg"}; },
          kNpmHint, cache);
    case ArtStyle::Emojify:
      return make_emojify_source(paths);
  }
  throw Error("make_art_source: unknown art style");
}

ArtCoverage art_coverage(const SceneCatalogue& catalogue, const std::vector<const ArtSource*>& sources) {
  check(!sources.empty(), "art_coverage", "no art style given");
  std::vector<int> widest;
  for (const ArtSource* s : sources) {
    std::vector<int> drawn;
    for (int i = 0; i < catalogue.size(); ++i)
      if (s->has(catalogue.objects[static_cast<size_t>(i)])) drawn.push_back(i);
    if (drawn.size() > widest.size()) widest = std::move(drawn);
  }
  ArtCoverage out;
  out.catalogue = subset_catalogue(catalogue, widest);
  for (const auto& o : catalogue.objects)
    if (out.catalogue.find(o.name) < 0) out.left_out.push_back(o.name);
  return out;
}

}  // namespace glimpse::vision
