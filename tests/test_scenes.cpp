// The emoji-scene generator: the catalogue and artwork, determinism (seed, thread count), boxes
// against the pixels, the compositional hold-out between splits, and the caption grammar with
// its instructions and context texts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/core/threads.h"
#include "glimpse/vision/emoji_atlas.h"
#include "glimpse/vision/scene_dataset.h"
#include "glimpse/vision/scene_generator.h"
#include "test_files.h"

namespace glimpse::vision {
namespace {

namespace fs = std::filesystem;

std::string catalogue_path() {
  return (fs::path(__FILE__).parent_path().parent_path() / "assets" / "scene-objects.json").string();
}

const SceneCatalogue& catalogue() {
  static const SceneCatalogue c = load_scene_catalogue(catalogue_path());
  return c;
}

const EmojiAtlas& atlas(ArtStyle style) {
  static const EmojiAtlas noto(catalogue(), ArtStyle::Noto);
  static const EmojiAtlas emojione(catalogue(), ArtStyle::EmojiOne);
  return style == ArtStyle::Noto ? noto : emojione;
}

fs::path temp_dir(const std::string& name) { return glimpse::testing::fresh_temp_dir("scenes", name); }
using glimpse::testing::read_file;

// Whole-word (or whole-phrase) occurrence.
bool mentions(const std::string& text, const std::string& phrase) {
  size_t pos = 0;
  while ((pos = text.find(phrase, pos)) != std::string::npos) {
    const bool start_ok = pos == 0 || text[pos - 1] == ' ';
    const size_t end = pos + phrase.size();
    const bool end_ok = end == text.size() || text[end] == ' ' || text[end] == ',' || text[end] == ':';
    if (start_ok && end_ok) return true;
    ++pos;
  }
  return false;
}

bool names_object(const std::string& caption, const SceneObject& o) {
  return mentions(caption, o.noun) || mentions(caption, o.plural);
}

int palette_index(const std::string& name) {
  const auto& p = background_palette();
  for (size_t i = 0; i < p.size(); ++i)
    if (name == p[i].name) return static_cast<int>(i);
  return -1;
}

SceneGeneratorOptions options(SceneSplit split, uint64_t seed, int canvas = 128) {
  SceneGeneratorOptions o;
  o.split = split;
  o.seed = seed;
  o.layout.canvas = canvas;
  return o;
}

// --- catalogue and artwork -----------------------------------------------------------------

TEST(SceneCatalogue, HasAtLeast150NameableObjectsInTheRequiredCategories) {
  const auto& c = catalogue();
  EXPECT_GE(c.size(), 150);
  std::set<std::string> names, categories;
  for (const auto& o : c.objects) {
    EXPECT_TRUE(names.insert(o.name).second) << o.name;
    EXPECT_FALSE(o.noun.empty());
    EXPECT_FALSE(o.plural.empty());
    EXPECT_NE(o.codepoint, 0u) << o.name;
    categories.insert(o.category);
  }
  for (const char* needed : {"animal", "food", "vehicle", "plant", "household"})
    EXPECT_TRUE(categories.count(needed)) << needed;
  const SceneObject& apple = c.objects[static_cast<size_t>(c.find("red apple"))];
  EXPECT_EQ(apple.noun, "apple");
  EXPECT_EQ(apple.colour, "red");
  EXPECT_EQ(c.objects[static_cast<size_t>(c.find("mouse"))].plural, "mice");
  EXPECT_EQ(c.find("no such object"), -1);
}

TEST(SceneCatalogue, ErrorsNameTheFileAndField) {
  const fs::path dir = temp_dir("catalogue");
  try {
    load_scene_catalogue((dir / "missing.json").string());
    FAIL() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "bad.json") << R"({"objects": [{"name": "dog", "noun": "dog", "plural": "dogs",
      "category": "animal", "emojione_png": "1F415.png", "codepoints": ["1F415", "200D", "1F9BA"]}]})";
  try {
    load_scene_catalogue((dir / "bad.json").string());
    FAIL() << "no error for a multi-code-point sequence";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'dog'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("code point"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "nofield.json") << R"({"objects": [{"name": "dog", "plural": "dogs"}]})";
  try {
    load_scene_catalogue((dir / "nofield.json").string());
    FAIL() << "no error for a missing field";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'noun'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(EmojiAtlas, GlyphsAreTightlyCroppedPremultipliedAndOfBothStyles) {
  for (const ArtStyle style : {ArtStyle::Noto, ArtStyle::EmojiOne}) {
    const EmojiAtlas& a = atlas(style);
    ASSERT_EQ(a.size(), catalogue().size());
    for (int i = 0; i < a.size(); ++i) {
      const Sprite& s = a.glyph(i);
      ASSERT_GT(s.width, 8) << catalogue().objects[static_cast<size_t>(i)].name;
      bool top = false, bottom = false, left = false, right = false, premultiplied = true;
      for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x) {
          const uint8_t* p = s.pixel(x, y);
          if (p[0] > p[3] || p[1] > p[3] || p[2] > p[3]) premultiplied = false;
          if (p[3] == 0) continue;
          top |= y == 0;
          bottom |= y == s.height - 1;
          left |= x == 0;
          right |= x == s.width - 1;
        }
      EXPECT_TRUE(top && bottom && left && right) << art_style_name(style) << " glyph " << i << " not cropped";
      EXPECT_TRUE(premultiplied) << art_style_name(style) << " glyph " << i;
    }
    // Noto is a 136x128 strike, EmojiOne 64x64 PNGs: the crops must fit within those.
    const int limit = style == ArtStyle::Noto ? 136 : 64;
    EXPECT_LE(a.glyph(catalogue().find("dog")).width, limit);
  }
  // Two styles draw the same object differently.
  const Sprite& n = atlas(ArtStyle::Noto).glyph(catalogue().find("dog"));
  const Sprite& e = atlas(ArtStyle::EmojiOne).glyph(catalogue().find("dog"));
  EXPECT_TRUE(n.width != e.width || n.rgba != e.rgba);
}

TEST(EmojiAtlas, ScaledSpritesHaveTheRequestedSizeAndAreCached) {
  const EmojiAtlas& a = atlas(ArtStyle::Noto);
  const int dog = catalogue().find("dog");
  const auto s = a.scaled(dog, 40);
  EXPECT_EQ(std::max(s->width, s->height), 40);
  EXPECT_EQ(a.scaled(dog, 40).get(), s.get());
  EXPECT_THROW(a.scaled(dog, 0), Error);
  EXPECT_THROW(a.glyph(catalogue().size()), Error);
}

// --- determinism --------------------------------------------------------------------------

TEST(SceneGenerator, SameSeedSameScenesOtherSeedOtherScenes) {
  const SceneGenerator a(catalogue(), &atlas(ArtStyle::Noto), options(SceneSplit::Train, 7));
  const SceneGenerator b(catalogue(), &atlas(ArtStyle::Noto), options(SceneSplit::Train, 7));
  const SceneGenerator c(catalogue(), &atlas(ArtStyle::Noto), options(SceneSplit::Train, 8));
  int differing = 0;
  for (uint64_t i = 0; i < 24; ++i) {
    const GeneratedScene x = a.generate(i), y = b.generate(i), z = c.generate(i);
    ASSERT_EQ(x.rendered.image.rgb, y.rendered.image.rgb) << "scene " << i;
    ASSERT_EQ(x.captions, y.captions);
    ASSERT_EQ(x.rendered.boxes.size(), y.rendered.boxes.size());
    for (size_t k = 0; k < x.rendered.boxes.size(); ++k) {
      EXPECT_EQ(x.rendered.boxes[k].x, y.rendered.boxes[k].x);
      EXPECT_EQ(x.rendered.boxes[k].w, y.rendered.boxes[k].w);
    }
    ASSERT_EQ(x.contexts.size(), y.contexts.size());
    for (size_t k = 0; k < x.contexts.size(); ++k) EXPECT_EQ(x.contexts[k].text, y.contexts[k].text);
    differing += x.rendered.image.rgb != z.rendered.image.rgb;
  }
  EXPECT_EQ(differing, 24);
}

TEST(SceneDataset, FolderDoesNotDependOnTheThreadCount) {
  const int saved = num_threads();
  std::vector<fs::path> dirs;
  for (const int threads : {1, 2}) {
    set_threads(threads);
    SceneDatasetOptions o;
    o.generator = options(SceneSplit::Val, 3, 64);
    o.count = 40;
    o.out_dir = temp_dir("threads" + std::to_string(threads)).string();
    write_scene_dataset(catalogue(), o);
    dirs.emplace_back(o.out_dir);
  }
  set_threads(saved);
  const std::string json = read_file(dirs[0] / "captions.json");
  EXPECT_FALSE(json.empty());
  EXPECT_EQ(json, read_file(dirs[1] / "captions.json"));
  for (int i = 0; i < 40; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%06d.png", i);
    EXPECT_EQ(read_file(dirs[0] / name), read_file(dirs[1] / name)) << name;
  }
  for (const auto& d : dirs) fs::remove_all(d);
}

// --- boxes ---------------------------------------------------------------------------------

TEST(SceneRenderer, BoxesLieInsideTheImage) {
  for (const ArtStyle style : {ArtStyle::Noto, ArtStyle::EmojiOne}) {
    const SceneGenerator g(catalogue(), &atlas(style), options(SceneSplit::Test, 11, 96));
    for (uint64_t i = 0; i < 150; ++i) {
      const GeneratedScene s = g.generate(i);
      ASSERT_EQ(s.rendered.boxes.size(), s.layout.objects.size());
      for (const BoxXYWH& b : s.rendered.boxes) {
        EXPECT_GE(b.x, 0);
        EXPECT_GE(b.y, 0);
        EXPECT_GT(b.w, 2);
        EXPECT_GT(b.h, 2);
        EXPECT_LE(b.x + b.w, 96);
        EXPECT_LE(b.y + b.h, 96);
      }
    }
  }
}

// Drawing an object alone on a black and on a white background recovers its coverage at every
// pixel (alpha = 1 - difference / contrast): the box must be exactly where coverage >= 1/4 is.
TEST(SceneRenderer, BoxesMatchWhereTheArtworkIsOpaque) {
  LayoutOptions lo;
  lo.effects = false;
  const SceneHoldOut holdout(catalogue());
  const int black = palette_index("black"), white = palette_index("white");
  ASSERT_GE(black, 0);
  ASSERT_GE(white, 0);
  const float contrast = 245.0f - 30.0f;
  const float threshold = kBoxAlphaThreshold / 255.0f;
  int checked = 0;
  for (const ArtStyle style : {ArtStyle::Noto, ArtStyle::EmojiOne}) {
    Rng rng(5);
    for (int scene = 0; scene < 30; ++scene) {
      const SceneLayout layout = sample_layout(catalogue(), holdout, SceneSplit::Train, lo, rng);
      for (const PlacedObject& p : layout.objects) {
        SceneLayout alone = layout;
        alone.objects = {p};
        alone.background = BackgroundSpec{};
        alone.background.colour = black;
        const RenderedScene on_black = render_scene(alone, atlas(style));
        alone.background.colour = white;
        const RenderedScene on_white = render_scene(alone, atlas(style));
        ASSERT_EQ(on_black.boxes.size(), 1u);
        const BoxXYWH box = on_black.boxes[0];
        int rows_hit[2] = {0, 0}, cols_hit[2] = {0, 0};
        for (int y = 0; y < lo.canvas; ++y)
          for (int x = 0; x < lo.canvas; ++x) {
            float alpha = 0;
            for (int c = 0; c < 3; ++c)
              alpha = std::max(alpha, 1.0f - (on_white.image.pixel(x, y)[c] - on_black.image.pixel(x, y)[c]) / contrast);
            const bool inside = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
            if (alpha >= threshold + 0.03f) {
              ASSERT_TRUE(inside) << "opaque pixel (" << x << ", " << y << ") outside the box of "
                                  << catalogue().objects[static_cast<size_t>(p.object)].name;
            }
            if (alpha >= threshold - 0.03f) {
              rows_hit[0] += y == box.y;
              rows_hit[1] += y == box.y + box.h - 1;
              cols_hit[0] += x == box.x;
              cols_hit[1] += x == box.x + box.w - 1;
            }
          }
        EXPECT_TRUE(rows_hit[0] && rows_hit[1] && cols_hit[0] && cols_hit[1])
            << "box of " << catalogue().objects[static_cast<size_t>(p.object)].name << " is not tight";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 80);
}

// --- splits --------------------------------------------------------------------------------

using Pair = std::pair<std::string, std::string>;

std::set<Pair> pairs_of(const SceneLayout& l) {
  std::set<Pair> out;
  for (size_t i = 0; i < l.objects.size(); ++i)
    for (size_t j = i + 1; j < l.objects.size(); ++j) {
      std::string a = catalogue().objects[static_cast<size_t>(l.objects[i].object)].name;
      std::string b = catalogue().objects[static_cast<size_t>(l.objects[j].object)].name;
      if (a == b) continue;
      if (b < a) std::swap(a, b);
      out.insert({a, b});
    }
  return out;
}

std::set<std::pair<std::string, int>> positions_of(const SceneLayout& l) {
  std::set<std::pair<std::string, int>> out;
  for (const auto& p : l.objects) out.insert({catalogue().objects[static_cast<size_t>(p.object)].name, p.region});
  return out;
}

TEST(SceneSplits, TestHoldsCombinationsThatTrainNeverShows) {
  const SceneGenerator train(catalogue(), nullptr, options(SceneSplit::Train, 21));
  const SceneGenerator val(catalogue(), nullptr, options(SceneSplit::Val, 21));
  const SceneGenerator test(catalogue(), nullptr, options(SceneSplit::Test, 21));
  const SceneGenerator test_style(catalogue(), nullptr, options(SceneSplit::TestStyle, 21));
  const SceneHoldOut& h = train.holdout();

  std::set<Pair> train_pairs;
  std::set<std::pair<std::string, int>> train_positions;
  for (uint64_t i = 0; i < 600; ++i) {
    const SceneLayout l = train.describe(i).layout;
    EXPECT_FALSE(has_held_out_combination(l, h)) << "train scene " << i;
    EXPECT_FALSE(has_held_out_combination(val.describe(i).layout, h)) << "val scene " << i;
    for (const auto& p : pairs_of(l)) train_pairs.insert(p);
    for (const auto& p : positions_of(l)) train_positions.insert(p);
  }
  EXPECT_GT(train_pairs.size(), 500u);
  int by_pair = 0, by_position = 0;
  for (uint64_t i = 0; i < 300; ++i) {
    const GeneratedScene s = test.describe(i);
    // Every test scene holds a held-out pair or object-position, and training never showed it.
    bool held_pair = false, held_position = false;
    for (const auto& p : pairs_of(s.layout))
      if (h.pair_held_out(catalogue().find(p.first), catalogue().find(p.second))) {
        held_pair = true;
        EXPECT_EQ(train_pairs.count(p), 0u) << p.first << " + " << p.second << " appeared in train";
      }
    for (const auto& p : positions_of(s.layout))
      if (h.position_held_out(catalogue().find(p.first), p.second)) {
        held_position = true;
        EXPECT_EQ(train_positions.count(p), 0u) << p.first << " in region " << p.second << " appeared in train";
      }
    EXPECT_TRUE(held_pair || held_position) << "test scene " << i;
    by_pair += held_pair;
    by_position += held_position;
    // test-style is the same scene (layout and captions) for the other art style.
    const GeneratedScene t = test_style.describe(i);
    ASSERT_EQ(t.layout.objects.size(), s.layout.objects.size());
    for (size_t k = 0; k < s.layout.objects.size(); ++k) {
      EXPECT_EQ(t.layout.objects[k].object, s.layout.objects[k].object);
      EXPECT_EQ(t.layout.objects[k].cx, s.layout.objects[k].cx);
    }
    EXPECT_EQ(t.captions, s.captions);
  }
  EXPECT_GT(by_pair, 50);
  EXPECT_GT(by_position, 50);
  EXPECT_EQ(default_art_style(SceneSplit::Test), ArtStyle::Noto);
  EXPECT_EQ(default_art_style(SceneSplit::TestStyle), ArtStyle::EmojiOne);
  // Val is in-distribution but not train's scenes.
  EXPECT_NE(val.describe(0).captions, train.describe(0).captions);
}

TEST(SceneSplits, HoldOutIsAboutOneInTenPairsAndOneRegionPerObject) {
  const SceneHoldOut h(catalogue());
  const int n = catalogue().size();
  int held = 0, total = 0;
  for (int a = 0; a < n; ++a) {
    EXPECT_GE(h.held_out_region(a), 0);
    EXPECT_LT(h.held_out_region(a), kSceneRegions);
    int regions = 0;
    for (int r = 0; r < kSceneRegions; ++r) regions += h.position_held_out(a, r);
    EXPECT_EQ(regions, 1);
    EXPECT_FALSE(h.pair_held_out(a, a));
    for (int b = a + 1; b < n; ++b) {
      held += h.pair_held_out(a, b);
      EXPECT_EQ(h.pair_held_out(a, b), h.pair_held_out(b, a));
      ++total;
    }
  }
  EXPECT_NEAR(static_cast<double>(held) / total, 0.1, 0.01);
  EXPECT_EQ(region_of(0, 0, 96), 0);
  EXPECT_EQ(region_of(95, 95, 96), 8);
  EXPECT_EQ(region_of(10, 50, 96), 3);
}

// --- captions ------------------------------------------------------------------------------

TEST(SceneCaptions, ThreeToFiveDistinctCaptionsNamingEveryObject) {
  const SceneGenerator g(catalogue(), nullptr, options(SceneSplit::Train, 4));
  std::set<size_t> counts;
  for (uint64_t i = 0; i < 300; ++i) {
    const GeneratedScene s = g.describe(i);
    ASSERT_GE(s.captions.size(), 3u) << "scene " << i;
    ASSERT_LE(s.captions.size(), 5u);
    counts.insert(s.captions.size());
    EXPECT_EQ(std::set<std::string>(s.captions.begin(), s.captions.end()).size(), s.captions.size());
    for (const auto& c : s.captions)
      for (const auto& p : s.layout.objects)
        EXPECT_TRUE(names_object(c, catalogue().objects[static_cast<size_t>(p.object)]))
            << "'" << c << "' does not name " << catalogue().objects[static_cast<size_t>(p.object)].name;
  }
  EXPECT_EQ(counts.size(), 3u);  // 3, 4 and 5 all occur
}

SceneLayout two_object_layout(const std::string& left, const std::string& right, float dy = 0) {
  SceneLayout l;
  l.canvas = 128;
  PlacedObject a, b;
  a.object = catalogue().find(left);
  b.object = catalogue().find(right);
  a.cx = 28, a.cy = 64 - dy;
  b.cx = 100, b.cy = 64 + dy;
  a.size = b.size = 30;  // small
  a.region = region_of(a.cx, a.cy, 128);
  b.region = region_of(b.cx, b.cy, 128);
  l.objects = {a, b};
  return l;
}

TEST(SceneCaptions, RelationsPositionsArticlesAndCountsAreRight) {
  const SceneLayout l = two_object_layout("dog", "red apple");
  int relations = 0;
  std::set<std::string> all;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    Rng rng(seed);
    for (const auto& c : caption_scene(l, catalogue(), CaptionInstruction::Plain, rng)) {
      all.insert(c);
      EXPECT_EQ(c.find("above"), std::string::npos) << c;
      EXPECT_EQ(c.find("below"), std::string::npos) << c;
      const size_t left = c.find("left of"), right = c.find("right of");
      if (left != std::string::npos) {
        EXPECT_LT(c.find("dog"), left) << c;
        EXPECT_GT(c.find("apple"), left) << c;
        ++relations;
      }
      if (right != std::string::npos) {
        EXPECT_LT(c.find("apple"), right) << c;
        EXPECT_GT(c.find("dog"), right) << c;
        ++relations;
      }
      EXPECT_EQ(c.find("a apple"), std::string::npos) << c;
    }
  }
  EXPECT_GT(relations, 10);
  bool saw_position = false;
  for (const auto& c : all) saw_position |= mentions(c, "on the left") || mentions(c, "on the left side");
  EXPECT_TRUE(saw_position);

  // Vertical relation and plurals.
  SceneLayout v = two_object_layout("cat", "bus", 40);
  v.objects[0].cx = v.objects[1].cx = 64;
  v.objects[0].region = region_of(64, 24, 128);
  v.objects[1].region = region_of(64, 104, 128);
  bool above = false;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed);
    for (const auto& c : caption_scene(v, catalogue(), CaptionInstruction::Plain, rng)) {
      if (c.find("cat above") != std::string::npos) above = true;
      EXPECT_EQ(c.find("bus above"), std::string::npos) << c;
      EXPECT_EQ(c.find("left of"), std::string::npos) << c;
    }
  }
  EXPECT_TRUE(above);
  SceneLayout two_mice = two_object_layout("mouse", "mouse");
  Rng rng(1);
  for (const auto& c : caption_scene(two_mice, catalogue(), CaptionInstruction::Count, rng))
    EXPECT_TRUE(mentions(c, "two mice") || mentions(c, "two grey mice")) << c;
  EXPECT_STREQ(indefinite_article("apple"), "an");
  EXPECT_STREQ(indefinite_article("unicorn"), "a");
  EXPECT_STREQ(indefinite_article("small apple"), "a");
  EXPECT_EQ(number_word(3), "three");
}

bool has_any_region_phrase(const std::string& c) {
  for (int r = 0; r < kSceneRegions; ++r)
    for (const auto& p : region_phrases(r))
      if (mentions(c, p)) return true;
  return false;
}

TEST(SceneCaptions, InstructionsChangeTheCaptionAsDocumented) {
  const SceneGenerator g(catalogue(), nullptr, options(SceneSplit::Train, 9));
  for (uint64_t i = 0; i < 200; ++i) {
    const SceneLayout l = g.describe(i).layout;
    std::map<int, int> copies;
    for (const auto& p : l.objects) ++copies[p.object];
    Rng rng(i);
    const auto brief = caption_scene(l, catalogue(), CaptionInstruction::Brief, rng);
    const auto where = caption_scene(l, catalogue(), CaptionInstruction::Where, rng);
    const auto count = caption_scene(l, catalogue(), CaptionInstruction::Count, rng);
    ASSERT_FALSE(brief.empty());
    ASSERT_FALSE(where.empty());
    ASSERT_FALSE(count.empty());
    for (const auto& c : brief) {
      EXPECT_FALSE(has_any_region_phrase(c)) << c;
      EXPECT_EQ(c.find("background"), std::string::npos) << c;
      for (const char* relation : {"left of", "right of", "above", "below"})
        EXPECT_FALSE(mentions(c, relation)) << c;
      for (const auto& p : l.objects) EXPECT_TRUE(names_object(c, catalogue().objects[static_cast<size_t>(p.object)])) << c;
    }
    for (const auto& c : where)
      for (const auto& p : l.objects) {
        bool said = false;
        for (const auto& phrase : region_phrases(p.region)) said |= mentions(c, phrase);
        EXPECT_TRUE(said) << "'" << c << "' does not say where the "
                          << catalogue().objects[static_cast<size_t>(p.object)].name << " is (region " << p.region << ")";
      }
    for (const auto& c : count)
      for (const auto& [object, n] : copies) {
        const SceneObject& o = catalogue().objects[static_cast<size_t>(object)];
        const std::string num = number_word(n), head = n == 1 ? o.noun : o.plural;
        const bool counted = mentions(c, num + " " + head) ||
                             (!o.usable_colour().empty() && mentions(c, num + " " + o.usable_colour() + " " + head));
        EXPECT_TRUE(counted) << "'" << c << "' does not count the " << o.name;
        EXPECT_FALSE(has_any_region_phrase(c)) << c;
      }
  }
}

TEST(SceneContext, ContextsFollowTheirRecipe) {
  SceneGeneratorOptions o = options(SceneSplit::Train, 13);
  o.contexts_per_image = 6;  // every recipe
  const SceneGenerator g(catalogue(), nullptr, o);
  std::map<std::string, int> kinds;
  for (uint64_t i = 0; i < 120; ++i) {
    const GeneratedScene s = g.describe(i);
    std::set<std::string> present;
    for (const auto& p : s.layout.objects) {
      const SceneObject& ob = catalogue().objects[static_cast<size_t>(p.object)];
      for (const auto& w : context_words(ob)) present.insert(w);
      present.insert({ob.name, ob.noun, ob.plural, ob.category});
      present.insert(ob.keywords.begin(), ob.keywords.end());
    }
    for (const auto& c : s.contexts) {
      ++kinds[context_kind_name(c.kind) + std::string("/") + instruction_name(c.instruction)];
      ASSERT_FALSE(c.text.empty());
      ASSERT_FALSE(c.captions.empty());
      std::vector<std::string> words;
      std::stringstream ss(c.text);
      for (std::string w; std::getline(ss, w, ',');) words.push_back(w.substr(w.find_first_not_of(' ')));
      switch (c.kind) {
        case ContextKind::Keywords:
          for (const auto& w : words) EXPECT_TRUE(present.count(w)) << "'" << w << "' describes nothing in scene " << i;
          EXPECT_EQ(c.captions, s.captions);
          break;
        case ContextKind::Distractors:
          for (const auto& w : words) EXPECT_FALSE(present.count(w)) << "distractor '" << w << "' describes scene " << i;
          EXPECT_EQ(c.captions, s.captions);
          break;
        case ContextKind::Mixed:
          EXPECT_EQ(c.captions, s.captions);
          break;
        case ContextKind::Instruction: {
          const auto& phrases = instruction_phrases(c.instruction);
          EXPECT_NE(std::find(phrases.begin(), phrases.end(), c.text), phrases.end()) << c.text;
          EXPECT_NE(c.captions, s.captions);
          break;
        }
      }
    }
  }
  for (const char* k : {"keywords/plain", "distractors/plain", "mixed/plain", "instruction/brief",
                        "instruction/where", "instruction/count"})
    EXPECT_GT(kinds[k], 100) << k;
}

}  // namespace
}  // namespace glimpse::vision
