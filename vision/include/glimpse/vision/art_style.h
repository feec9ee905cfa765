// The art styles the scene generator draws objects in, where each style's artwork lives, and
// style lists ("mixed", "noto,openmoji") for datasets that draw each scene in one of several.
// EmojiOne is the style held out of training (split test-style); docs/dataset.md lists the
// styles, their packages and licences.
#pragma once

#include <string>
#include <vector>

namespace glimpse::vision {

enum class ArtStyle { Noto, EmojiOne, OpenMoji, FluentFlat, FluentModern, Symbola, Emojify };

// "noto" | "emojione" | "openmoji" | "fluent-flat" | "fluent-modern" | "symbola" | "emojify"
const char* art_style_name(ArtStyle style);
ArtStyle art_style_from_name(const std::string& name);

// Every style, in the order above.
const std::vector<ArtStyle>& all_art_styles();
// The styles `mixed` stands for: all but EmojiOne, which stays unseen for test-style.
const std::vector<ArtStyle>& training_art_styles();

// "mixed", one style name, or a comma list of names ("noto,openmoji,fluent-flat"). Throws
// glimpse::Error for an unknown or repeated name or an empty list.
std::vector<ArtStyle> parse_art_styles(const std::string& spec);
// The names joined by commas: parse_art_styles(art_styles_name(s)) == s.
std::string art_styles_name(const std::vector<ArtStyle>& styles);

// Where each style's artwork is. Relative paths are relative to the current directory; the
// glimpse program resolves `npm_dir` against its source or install tree.
struct ArtPaths {
  std::string noto_font = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";
  std::string emojione_dir = "/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png";
  // npm packages openmoji and fluentui-emoji, installed by scripts/setup.sh.
  std::string npm_dir = "third_party/npm/node_modules";
  std::string symbola_font = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf";
  std::string emojify_dir = "/usr/share/javascript/emojify.js/images/emoji";
  // Short names by code point (EmojiOne's index, from ruby-gemojione) and emoji versions
  // (unicode-data): together they name emojify's PNGs.
  std::string gemoji_index = "/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/config/index.json";
  std::string emoji_test = "/usr/share/unicode/emoji/emoji-test.txt";
  // Rasterised SVG artwork; empty: $XDG_CACHE_HOME/glimpse/art, else ~/.cache/glimpse/art.
  std::string art_cache_dir;

  std::string openmoji_dir() const;                // <npm_dir>/openmoji/color/svg
  std::string fluent_dir(ArtStyle fluent) const;   // <npm_dir>/fluentui-emoji/icons/{flat,modern}
  std::string resolved_art_cache_dir() const;
};

}  // namespace glimpse::vision
