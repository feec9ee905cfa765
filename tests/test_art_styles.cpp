// The scene art styles beyond Noto and EmojiOne: each loads artwork for the catalogue and
// renders scenes, the styles draw one object differently, missing artwork is a clear error,
// emojify covers the subset it has artwork for, and mixed-style datasets are deterministic and
// say per image which style drew it. The npm styles (openmoji, fluent-*) skip only when
// third_party/npm is absent (scripts/setup.sh installs it; CI runs that first).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/vision/art_source.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/emoji_atlas.h"
#include "glimpse/vision/scene_dataset.h"
#include "glimpse/vision/scene_generator.h"
#include "test_files.h"

namespace glimpse::vision {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(__FILE__).parent_path().parent_path();

const SceneCatalogue& catalogue() {
  static const SceneCatalogue c = load_scene_catalogue((kRoot / "assets" / "scene-objects.json").string());
  return c;
}

ArtPaths paths() {
  ArtPaths p;
  p.npm_dir = (kRoot / "third_party" / "npm" / "node_modules").string();
  return p;
}

bool needs_npm(ArtStyle s) {
  return s == ArtStyle::OpenMoji || s == ArtStyle::FluentFlat || s == ArtStyle::FluentModern;
}

bool npm_installed() { return fs::is_directory(paths().npm_dir); }

#define SKIP_WITHOUT_NPM(style)                                                                      \
  if (needs_npm(style) && !npm_installed())                                                          \
  GTEST_SKIP() << "npm artwork folder '" << paths().npm_dir << "' is absent: run scripts/setup.sh " \
               << "(it installs openmoji and fluentui-emoji there)"

const std::vector<ArtStyle> kNewStyles = {ArtStyle::OpenMoji, ArtStyle::FluentFlat, ArtStyle::FluentModern,
                                          ArtStyle::Symbola, ArtStyle::Emojify};

// One atlas per style over the whole catalogue (objects a style lacks are absent), loaded once.
const EmojiAtlas& atlas(ArtStyle style) {
  static std::map<ArtStyle, std::unique_ptr<EmojiAtlas>> atlases;
  auto& a = atlases[style];
  if (!a) a = std::make_unique<EmojiAtlas>(catalogue(), *make_art_source(style, paths()));
  return *a;
}

fs::path temp_dir(const std::string& name) { return glimpse::testing::fresh_temp_dir("art", name); }
using glimpse::testing::read_file;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ArtStyles, NamesListsAndMixed) {
  for (const ArtStyle s : all_art_styles()) EXPECT_EQ(art_style_from_name(art_style_name(s)), s);
  const auto mixed = parse_art_styles("mixed");
  EXPECT_EQ(mixed.size(), all_art_styles().size() - 1);
  EXPECT_EQ(std::count(mixed.begin(), mixed.end(), ArtStyle::EmojiOne), 0) << "EmojiOne stays unseen";
  EXPECT_EQ(parse_art_styles("noto,openmoji,fluent-flat"),
            (std::vector<ArtStyle>{ArtStyle::Noto, ArtStyle::OpenMoji, ArtStyle::FluentFlat}));
  EXPECT_EQ(art_styles_name(parse_art_styles("symbola,emojify")), "symbola,emojify");
  EXPECT_NE(error_of([] { parse_art_styles("noto,wingdings"); }).find("'wingdings'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_art_styles("noto,noto"); }).find("twice"), std::string::npos);
  EXPECT_NE(error_of([] { parse_art_styles("noto,"); }).find("empty"), std::string::npos);
}

TEST(ArtStyles, EachNewStyleLoadsCatalogueArtworkAndRendersAScene) {
  for (const ArtStyle style : kNewStyles) {
    SCOPED_TRACE(art_style_name(style));
    if (needs_npm(style) && !npm_installed()) continue;  // reported by the skip below
    const EmojiAtlas& a = atlas(style);
    // Measured coverage (docs/dataset.md): everything but emojify draws the whole catalogue.
    if (style == ArtStyle::Emojify) EXPECT_GE(a.drawn(), 240);
    else EXPECT_EQ(a.drawn(), catalogue().size());
    for (int i = 0; i < a.size(); ++i) {
      if (!a.has(i)) continue;
      const Sprite& g = a.glyph(i);
      ASSERT_GT(g.width, 8) << catalogue().objects[static_cast<size_t>(i)].name;
      ASSERT_GT(g.height, 8) << catalogue().objects[static_cast<size_t>(i)].name;
      bool premultiplied = true;
      for (size_t k = 0; k < g.rgba.size(); k += 4)
        premultiplied &= g.rgba[k] <= g.rgba[k + 3] && g.rgba[k + 1] <= g.rgba[k + 3] && g.rgba[k + 2] <= g.rgba[k + 3];
      ASSERT_TRUE(premultiplied) << catalogue().objects[static_cast<size_t>(i)].name;
    }
    const ArtCoverage cov = art_coverage(catalogue(), {make_art_source(style, paths()).get()});
    const EmojiAtlas drawn(cov.catalogue, *make_art_source(style, paths()));
    SceneGeneratorOptions o;
    o.seed = 5;
    o.layout.canvas = 96;
    const SceneGenerator g(cov.catalogue, &drawn, o);
    for (uint64_t i = 0; i < 4; ++i) {
      const GeneratedScene s = g.generate(i);
      EXPECT_EQ(s.style, style);
      ASSERT_EQ(s.rendered.boxes.size(), s.layout.objects.size());
      EXPECT_EQ(s.rendered.image.width, 96);
    }
  }
  if (!npm_installed())
    GTEST_SKIP() << "npm styles not checked: '" << paths().npm_dir << "' is absent (run scripts/setup.sh)";
}

// Mean absolute difference of two sprites scaled to one size, on white.
double sprite_difference(const Sprite& a, const Sprite& b) {
  const Sprite sa = scale_sprite(a, 48), sb = scale_sprite(b, 48);
  const int w = std::min(sa.width, sb.width), h = std::min(sa.height, sb.height);
  double sum = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        const int va = sa.pixel(x, y)[c] + 255 - sa.pixel(x, y)[3];
        const int vb = sb.pixel(x, y)[c] + 255 - sb.pixel(x, y)[3];
        sum += std::abs(va - vb);
      }
  return sum / (3.0 * w * h);
}

TEST(ArtStyles, TheSameObjectIsDrawnDifferentlyInEachStyle) {
  std::vector<ArtStyle> styles = {ArtStyle::Noto, ArtStyle::EmojiOne, ArtStyle::Symbola, ArtStyle::Emojify};
  if (npm_installed()) styles.insert(styles.end(), {ArtStyle::OpenMoji, ArtStyle::FluentFlat, ArtStyle::FluentModern});
  for (const std::string name : {"dog", "red apple", "bicycle"}) {
    const int object = catalogue().find(name);
    ASSERT_GE(object, 0) << name;
    for (size_t i = 0; i < styles.size(); ++i)
      for (size_t j = i + 1; j < styles.size(); ++j) {
        if (!atlas(styles[i]).has(object) || !atlas(styles[j]).has(object)) continue;
        // Identical artwork differs by 0; the closest pair measured, Fluent flat and modern
        // (one design, with and without gradients), by about 6 grey levels.
        EXPECT_GT(sprite_difference(atlas(styles[i]).glyph(object), atlas(styles[j]).glyph(object)), 3.0)
            << name << ": " << art_style_name(styles[i]) << " vs " << art_style_name(styles[j]);
      }
  }
  if (!npm_installed()) GTEST_SKIP() << "npm styles not compared: '" << paths().npm_dir << "' is absent";
}

TEST(ArtStyles, SymbolaInksColouredObjectsInTheirColour) {
  const EmojiAtlas& a = atlas(ArtStyle::Symbola);
  auto mean_rgb = [&a](const std::string& name) {
    const Sprite& g = a.glyph(catalogue().find(name));
    double r = 0, gr = 0, b = 0, n = 0;
    for (size_t k = 0; k < g.rgba.size(); k += 4)
      if (g.rgba[k + 3] == 255) r += g.rgba[k], gr += g.rgba[k + 1], b += g.rgba[k + 2], ++n;
    return std::array<double, 3>{r / n, gr / n, b / n};
  };
  const auto red = mean_rgb("red apple"), green = mean_rgb("green apple");
  EXPECT_GT(red[0], red[1] + 20) << "red apple strokes are red";
  EXPECT_GT(green[1], green[0] + 20) << "green apple strokes are green";
}

TEST(ArtStyles, EmojifyDrawsTheSubsetItHasArtworkFor) {
  const EmojiAtlas& a = atlas(ArtStyle::Emojify);
  EXPECT_TRUE(a.has(catalogue().find("dog")));
  EXPECT_TRUE(a.has(catalogue().find("knife"))) << "gemoji's hocho.png";
  EXPECT_TRUE(a.has(catalogue().find("frying pan"))) << "gemoji's old egg.png (U+1F373 cooking)";
  EXPECT_FALSE(a.has(catalogue().find("egg"))) << "U+1F95A is Emoji 3.0: emojify's egg.png is a frying pan";
  EXPECT_FALSE(a.has(catalogue().find("gorilla")));
  const std::string why = error_of([&a] { a.glyph(catalogue().find("gorilla")); });
  EXPECT_NE(why.find("'gorilla'"), std::string::npos) << why;
  EXPECT_NE(why.find("emojify"), std::string::npos) << why;
  // Required everywhere (the style-and-paths constructor): the first missing object is named.
  const std::string required = error_of([] { EmojiAtlas(catalogue(), ArtStyle::Emojify, paths()); });
  EXPECT_NE(required.find("(emojify)"), std::string::npos) << required;
  EXPECT_NE(required.find("no artwork"), std::string::npos) << required;

  const ArtCoverage cov = art_coverage(catalogue(), {make_art_source(ArtStyle::Emojify, paths()).get()});
  EXPECT_EQ(cov.catalogue.size(), a.drawn());
  EXPECT_EQ(cov.catalogue.size() + static_cast<int>(cov.left_out.size()), catalogue().size());
  EXPECT_NE(std::find(cov.left_out.begin(), cov.left_out.end(), "gorilla"), cov.left_out.end());
}

TEST(ArtStyles, MissingArtworkFolderOrFontIsAnErrorNamingThePath) {
  ArtPaths p = paths();
  p.npm_dir = "/nonexistent/glimpse-npm";
  p.symbola_font = "/nonexistent/Symbola.ttf";
  p.emojify_dir = "/nonexistent/emojify";
  p.gemoji_index = "/nonexistent/index.json";
  for (const ArtStyle style : kNewStyles) {
    const std::string why = error_of([&] { make_art_source(style, p); });
    EXPECT_NE(why.find("/nonexistent/"), std::string::npos) << art_style_name(style) << ": " << why;
  }
  EXPECT_NE(error_of([&] { make_art_source(ArtStyle::OpenMoji, p); }).find("scripts/setup.sh"), std::string::npos);
  EXPECT_NE(error_of([&] { make_art_source(ArtStyle::Symbola, p); }).find("fonts-symbola"), std::string::npos);
}

TEST(ArtStyles, SvgArtworkIsRasterisedOnceIntoTheArtCache) {
  SKIP_WITHOUT_NPM(ArtStyle::OpenMoji);
  const fs::path cache = temp_dir("cache");
  ArtPaths p = paths();
  p.art_cache_dir = cache.string();
  const SceneCatalogue few = subset_catalogue(catalogue(), {catalogue().find("dog"), catalogue().find("bicycle")});
  const EmojiAtlas first(few, ArtStyle::OpenMoji, p);
  const fs::path dog = cache / "openmoji" / "128" / "1F415.png";
  ASSERT_TRUE(fs::is_regular_file(dog)) << dog;
  const auto written = fs::last_write_time(dog);
  const EmojiAtlas second(few, ArtStyle::OpenMoji, p);
  EXPECT_EQ(fs::last_write_time(dog), written) << "the cached PNG is reused";
  EXPECT_EQ(first.glyph(0).rgba, second.glyph(0).rgba);
  for (const auto& e : fs::recursive_directory_iterator(cache))
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << "left over: " << e.path();
  fs::remove_all(cache);
}

TEST(ArtStyles, MixedStylesAreDeterministicAndRecordedPerImage) {
  const std::vector<ArtStyle> styles = {ArtStyle::Noto, ArtStyle::Symbola, ArtStyle::Emojify};
  std::vector<std::string> json;
  for (const int run : {0, 1}) {
    const fs::path dir = temp_dir("mixed" + std::to_string(run));
    SceneDatasetOptions o;
    o.generator.seed = 3;
    o.generator.layout.canvas = 64;
    o.styles = styles;
    o.paths = paths();
    o.count = 48;
    o.out_dir = dir.string();
    const SceneDatasetStats stats = write_scene_dataset(catalogue(), o);
    EXPECT_EQ(stats.catalogue_objects, catalogue().size()) << "noto draws every object";
    ASSERT_EQ(stats.scenes_per_style.size(), styles.size());
    for (size_t k = 0; k < styles.size(); ++k)
      EXPECT_GT(stats.scenes_per_style[k], 0u) << art_style_name(styles[k]);
    json.push_back(read_file(dir / "captions.json"));

    const CaptionDataset ds = load_caption_dataset(dir.string());
    EXPECT_EQ(ds.info.at("art_style"), "noto,symbola,emojify");
    ASSERT_EQ(ds.images.size(), 48u);
    std::map<std::string, int> seen;
    for (const auto& r : ds.images) ++seen[r.art_style];
    EXPECT_EQ(seen.size(), 3u);
    for (const auto& [name, n] : seen)
      EXPECT_TRUE(name == "noto" || name == "symbola" || name == "emojify") << name;
    // Each image's pixels are those of its recorded style.
    for (const auto& r : ds.images) {
      if (r.id >= 6) break;
      const EmojiAtlas& a = atlas(art_style_from_name(r.art_style));
      const GeneratedScene s = SceneGenerator(catalogue(), &a, o.generator).describe(static_cast<uint64_t>(r.id));
      EXPECT_EQ(ds.load_image(static_cast<size_t>(r.id)).rgb, render_scene(s.layout, a).image.rgb)
          << "image " << r.id << " in " << r.art_style;
    }
    fs::remove_all(dir);
  }
  EXPECT_EQ(json[0], json[1]) << "same seed, same mixed dataset";
}

TEST(ArtStyles, MixedGeneratorPicksOnlyStylesThatDrawTheWholeScene) {
  const std::vector<const EmojiAtlas*> atlases = {&atlas(ArtStyle::Emojify), &atlas(ArtStyle::Symbola)};
  SceneGeneratorOptions o;
  o.seed = 12;
  const SceneGenerator a(catalogue(), atlases, o), b(catalogue(), atlases, o);
  int emojify = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    const GeneratedScene s = a.describe(i);
    EXPECT_EQ(s.style, b.describe(i).style);
    if (s.style != ArtStyle::Emojify) continue;
    ++emojify;
    for (const auto& p : s.layout.objects) EXPECT_TRUE(atlas(ArtStyle::Emojify).has(p.object));
  }
  EXPECT_GT(emojify, 20);
  EXPECT_LT(emojify, 180);
  // The style is drawn from its own stream: the layouts are those of a one-style generator.
  const SceneGenerator single(catalogue(), &atlas(ArtStyle::Symbola), o);
  EXPECT_EQ(a.describe(7).captions, single.describe(7).captions);
}

}  // namespace
}  // namespace glimpse::vision
