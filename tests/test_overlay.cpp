// Attention overlays: the heat map follows the preprocessing geometry back to the original
// picture, the colours come from the colour map, alpha blends as promised, and the attention
// sheet lays tiles out on the documented grid.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "glimpse/core/error.h"
#include "glimpse/vision/attention_sheet.h"
#include "glimpse/vision/color_map.h"
#include "glimpse/vision/heat_map.h"
#include "glimpse/vision/overlay.h"
#include "glimpse/vision/preprocess.h"

namespace {

using namespace glimpse;
using namespace glimpse::vision;

Image solid(int w, int h, const Rgb& colour) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < img.rgb.size(); i += 3)
    for (int ch = 0; ch < 3; ++ch) img.rgb[i + ch] = colour[ch];
  return img;
}

// Every pixel different, so a blend that touched the wrong pixel would show.
Image pattern(int w, int h) {
  Image img = solid(w, h, {0, 0, 0});
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = img.pixel(x, y);
      p[0] = static_cast<uint8_t>(x * 7 + y);
      p[1] = static_cast<uint8_t>(y * 5 + 3 * x);
      p[2] = static_cast<uint8_t>((x ^ y) * 3);
    }
  return img;
}

PatchGrid grid_for(const Image& img, ResizeMode mode, int image_size = 128, int patch_size = 16) {
  PreprocessConfig c;
  c.image_size = image_size;
  c.patch_size = patch_size;
  c.mode = mode;
  return prepare_image(img, c).grid;
}

std::vector<float> one_hot(const PatchGrid& g, int row, int col) {
  std::vector<float> w(static_cast<size_t>(g.rows) * g.cols, 0.0f);
  w[static_cast<size_t>(row) * g.cols + col] = 1.0f;
  return w;
}

Rgb at(const Image& img, int x, int y) {
  const uint8_t* p = img.pixel(x, y);
  return {p[0], p[1], p[2]};
}

// (x, y) of the largest heat value (first on ties).
std::pair<int, int> hottest_pixel(const HeatMap& map) {
  const auto it = std::max_element(map.values.begin(), map.values.end());
  const int i = static_cast<int>(it - map.values.begin());
  return {i % map.width, i / map.width};
}

void expect_error_mentions(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected glimpse::Error";
  } catch (const Error& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << e.what() << "' does not mention '" << part << "'";
  }
}

TEST(ColorMap, TablesAreTheKnownPerceptualMapsFromDarkToBright) {
  // Published end points: viridis (68,1,84) → (253,231,37); inferno (0,0,4) → (252,255,164).
  const auto& viridis = color_map_table(ColorMap::Viridis);
  const auto& inferno = color_map_table(ColorMap::Inferno);
  auto near = [](const Rgb& a, const Rgb& b) {
    for (int ch = 0; ch < 3; ++ch)
      if (std::abs(a[ch] - b[ch]) > 3) return false;
    return true;
  };
  EXPECT_TRUE(near(viridis[0], {68, 1, 84}));
  EXPECT_TRUE(near(viridis[255], {253, 231, 37}));
  EXPECT_TRUE(near(inferno[0], {0, 0, 4}));
  EXPECT_TRUE(near(inferno[255], {252, 255, 164}));
  // Perceptual maps brighten steadily: luma never drops by more than rounding.
  for (const ColorMap map : {ColorMap::Viridis, ColorMap::Inferno}) {
    const auto& t = color_map_table(map);
    auto luma = [](const Rgb& c) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]; };
    for (int i = 1; i < 256; ++i) EXPECT_GE(luma(t[i]), luma(t[i - 1]) - 1.0) << i;
  }
  EXPECT_NE(color_map_table(ColorMap::Turbo)[128], viridis[128]);
}

TEST(ColorMap, NamesRoundTripAndUnknownNamesAreRefused) {
  for (const ColorMap map : {ColorMap::Viridis, ColorMap::Inferno, ColorMap::Turbo})
    EXPECT_EQ(color_map_from_name(color_map_name(map)), map);
  for (const Normalization n : {Normalization::Max, Normalization::Fixed})
    EXPECT_EQ(normalization_from_name(normalization_name(n)), n);
  expect_error_mentions([] { color_map_from_name("jet"); }, {"jet", "viridis"});
  expect_error_mentions([] { normalization_from_name("sum"); }, {"sum", "max"});
}

TEST(HeatMap, PatchSizeIsRecoveredFromTheGeometryOfEveryMode) {
  for (const ResizeMode mode : {ResizeMode::Letterbox, ResizeMode::Stretch, ResizeMode::CenterCrop})
    for (const auto& [w, h] : std::vector<std::pair<int, int>>{
             {128, 128}, {640, 480}, {480, 640}, {1000, 10}, {10, 1000}, {33, 77}})
      for (const int patch : {8, 16, 32}) {
        const PatchGrid g = grid_for(solid(w, h, {9, 9, 9}), mode, 128, patch);
        EXPECT_NEAR(model_patch_size(g), patch, 1e-3)
            << resize_mode_name(mode) << " " << w << "x" << h << " P=" << patch;
      }
}

TEST(HeatMap, BilinearInterpolationFollowsTheLetterboxGeometry) {
  // Weights that grow linearly down the rows: bilinear interpolation reproduces a linear
  // function exactly, so every pixel's value reveals the model row it was mapped to.
  const Image img = solid(256, 128, {50, 50, 50});  // 2:1 → scale 0.5, 32 padding rows on top
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
  ASSERT_FLOAT_EQ(g.offset_y, 32.0f);
  std::vector<float> w(64);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) w[r * 8 + c] = r / 7.0f;
  const HeatMap map = attention_heat_map(g, w, Normalization::Fixed);
  ASSERT_EQ(map.width, 256);
  ASSERT_EQ(map.height, 128);
  for (int y = 0; y < 128; y += 5) {
    const float v = (y + 0.5f) * 0.5f + 32.0f;  // model row of this picture row
    const float expected = std::clamp(v / 16.0f - 0.5f, 0.0f, 7.0f) / 7.0f;
    for (int x = 0; x < 256; x += 51) EXPECT_NEAR(map.at(x, y), expected, 1e-5) << x << "," << y;
  }
}

TEST(HeatMap, NormalisationByMaxOrFixed) {
  const Image img = solid(64, 64, {0, 0, 0});
  const PatchGrid g = grid_for(img, ResizeMode::Stretch, 64, 16);
  const std::vector<float> half(16, 0.5f), two(16, 2.0f), zero(16, 0.0f);
  for (const float v : attention_heat_map(g, half, Normalization::Max).values)
    EXPECT_FLOAT_EQ(v, 1.0f);
  for (const float v : attention_heat_map(g, half, Normalization::Fixed).values)
    EXPECT_FLOAT_EQ(v, 0.5f);
  for (const float v : attention_heat_map(g, two, Normalization::Fixed).values)
    EXPECT_FLOAT_EQ(v, 1.0f);
  for (const float v : attention_heat_map(g, zero, Normalization::Max).values) EXPECT_EQ(v, 0.0f);
}

TEST(Overlay, AllZeroAttentionAtFullAlphaIsTheColdestColourEverywhere) {
  const Image img = pattern(90, 60);
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
  const std::vector<float> zero(64, 0.0f);
  for (const ColorMap map : {ColorMap::Viridis, ColorMap::Inferno, ColorMap::Turbo})
    for (const Normalization n : {Normalization::Max, Normalization::Fixed}) {
      OverlayOptions o;
      o.alpha = 1.0f;
      o.color_map = map;
      o.normalization = n;
      const Image out = render_overlay(img, g, zero, o);
      ASSERT_EQ(out.width, 90);
      ASSERT_EQ(out.height, 60);
      const Rgb coldest = color_map_table(map)[0];
      for (int y = 0; y < 60; ++y)
        for (int x = 0; x < 90; ++x) ASSERT_EQ(at(out, x, y), coldest) << x << "," << y;
    }
}

TEST(Overlay, OneHotPatchIsHottestAtItsCentreAndFadesAway) {
  const Image img = pattern(128, 128);
  const PatchGrid g = grid_for(img, ResizeMode::Stretch);  // scale 1: patch (r, c) = 16x16 box
  const std::vector<float> w = one_hot(g, 2, 5);
  OverlayOptions o;
  o.alpha = 1.0f;
  o.color_map = ColorMap::Viridis;
  const Image out = render_overlay(img, g, w, o);
  const auto& table = color_map_table(ColorMap::Viridis);
  const PixelBox& box = g.boxes[2 * 8 + 5];
  const int cx = static_cast<int>((box.x0 + box.x1) / 2),
            cy = static_cast<int>((box.y0 + box.y1) / 2);
  EXPECT_EQ(at(out, cx, cy), table[255]);
  EXPECT_EQ(at(out, cx - 1, cy - 1), table[255]);  // the four pixels around the centre tie

  // Fades monotonically towards the neighbouring patch centres, and is cold beyond them.
  const HeatMap map = attention_heat_map(g, w, Normalization::Max);
  for (int x = cx + 1; x < cx + 16; ++x) EXPECT_LT(map.at(x, cy), map.at(x - 1, cy)) << x;
  for (int y = cy + 1; y < cy + 16; ++y) EXPECT_LT(map.at(cx, y), map.at(cx, y - 1)) << y;
  for (int x = cx - 2; x > cx - 17; --x) EXPECT_LT(map.at(x, cy), map.at(x + 1, cy)) << x;
  EXPECT_EQ(at(out, cx + 16, cy), table[0]);
  EXPECT_EQ(at(out, cx, cy + 16), table[0]);
  EXPECT_EQ(at(out, 0, 127), table[0]);
}

TEST(Overlay, HottestPixelOfAScaledPictureIsAtThePatchCentre) {
  const Image img = pattern(320, 240);  // stretched: 2.5 and 1.875 picture pixels per model pixel
  const PatchGrid g = grid_for(img, ResizeMode::Stretch);
  const HeatMap map = attention_heat_map(g, one_hot(g, 6, 1), Normalization::Max);
  const PixelBox& box = g.boxes[6 * 8 + 1];
  const auto [x, y] = hottest_pixel(map);
  EXPECT_LE(std::abs(x + 0.5f - (box.x0 + box.x1) / 2), 1.0f) << x;
  EXPECT_LE(std::abs(y + 0.5f - (box.y0 + box.y1) / 2), 1.0f) << y;
}

TEST(Overlay, AlphaZeroReturnsTheOriginalExactlyAndHalfAlphaBlends) {
  const Image img = pattern(77, 51);
  const PatchGrid g = grid_for(img, ResizeMode::CenterCrop);
  std::vector<float> w(64);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 37) % 11);
  OverlayOptions o;
  o.alpha = 0.0f;
  const Image same = render_overlay(img, g, w, o);
  EXPECT_EQ(same.width, img.width);
  EXPECT_EQ(same.height, img.height);
  EXPECT_EQ(same.rgb, img.rgb);

  o.alpha = 1.0f;
  const Image colours = render_overlay(img, g, w, o);
  o.alpha = 0.5f;
  const Image half = render_overlay(img, g, w, o);
  for (size_t i = 0; i < img.rgb.size(); ++i)
    ASSERT_LE(std::abs(2 * half.rgb[i] - (img.rgb[i] + colours.rgb[i])), 1) << i;
}

TEST(Overlay, LetterboxedHotSpotLandsInThePatchBoxOnTheOriginalPicture) {
  // 2:1 picture letterboxed into 128x128: rows 0-1 and 6-7 are padding. Patch (3, 5) shows
  // picture pixels x ∈ [160, 192), y ∈ [32, 64); forgetting the 32-pixel offset would put the
  // hot spot at y ∈ [96, 128) instead.
  for (const auto& [w, h] : std::vector<std::pair<int, int>>{{256, 128}, {128, 256}}) {
    const Image img = pattern(w, h);
    const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
    const int row = w > h ? 3 : 5, col = w > h ? 5 : 3;
    const PixelBox& box = g.boxes[row * 8 + col];
    if (w > h) {
      EXPECT_FLOAT_EQ(box.y0, 32.0f);
      EXPECT_FLOAT_EQ(box.y1, 64.0f);
      EXPECT_FLOAT_EQ(box.x0, 160.0f);
    }
    OverlayOptions o;
    o.alpha = 1.0f;
    const Image out = render_overlay(img, g, one_hot(g, row, col), o);
    const Rgb hottest = color_map_table(o.color_map)[255];
    int hot_pixels = 0;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if (at(out, x, y) == hottest) {
          ++hot_pixels;
          EXPECT_TRUE(x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1)
              << w << "x" << h << ": hottest colour at " << x << "," << y;
        }
    EXPECT_GT(hot_pixels, 0);
  }
}

TEST(Overlay, CentreCropHotSpotLandsInThePatchBox) {
  const Image img = pattern(256, 128);  // scale 1, 64 picture columns cut on each side
  const PatchGrid g = grid_for(img, ResizeMode::CenterCrop);
  const PixelBox& box = g.boxes[3 * 8 + 5];
  EXPECT_FLOAT_EQ(box.x0, 144.0f);
  const auto [x, y] = hottest_pixel(attention_heat_map(g, one_hot(g, 3, 5), Normalization::Max));
  EXPECT_TRUE(x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1) << x << "," << y;
}

TEST(Overlay, ArgmaxOutlineIsDrawnOnTheMostAttendedPatchOnly) {
  const Image img = solid(128, 128, {100, 100, 100});
  const PatchGrid g = grid_for(img, ResizeMode::Stretch);
  std::vector<float> w(64, 0.1f);
  w[4 * 8 + 2] = 0.9f;  // box x ∈ [32, 48), y ∈ [64, 80)
  OverlayOptions o;
  const Image plain = render_overlay(img, g, w, o);
  o.outline_argmax = true;
  const Image boxed = render_overlay(img, g, w, o);
  const Rgb white{255, 255, 255};
  EXPECT_EQ(at(boxed, 32, 72), white);              // left edge
  EXPECT_EQ(at(boxed, 47, 72), white);              // right edge
  EXPECT_EQ(at(boxed, 40, 64), white);              // top edge
  EXPECT_EQ(at(boxed, 40, 79), white);              // bottom edge
  EXPECT_EQ(at(boxed, 40, 72), at(plain, 40, 72));  // inside untouched
  int changed = 0;
  for (int y = 0; y < 128; ++y)
    for (int x = 0; x < 128; ++x)
      if (at(boxed, x, y) != at(plain, x, y)) {
        ++changed;
        EXPECT_TRUE(x >= 30 && x <= 49 && y >= 62 && y <= 81) << x << "," << y;
      }
  EXPECT_GT(changed, 0);
}

TEST(Overlay, NoOutlineForAnArgmaxInThePaddingOrForFlatAttention) {
  // 2:1 picture: row 0 lies wholly in the letterbox padding. Square picture: uniform weights
  // have no most-attended patch (patch 0 would be outlined if ties were taken at face value).
  for (const bool flat : {false, true}) {
    const Image img = pattern(flat ? 128 : 256, 128);
    const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
    const std::vector<float> w = flat ? std::vector<float>(64, 0.3f) : one_hot(g, 0, 0);
    OverlayOptions o;
    const Image plain = render_overlay(img, g, w, o);
    o.outline_argmax = true;
    EXPECT_EQ(render_overlay(img, g, w, o).rgb, plain.rgb) << (flat ? "flat" : "padding");
  }
}

TEST(Overlay, LabelStripIsAddedBelowThePictureAndWraps) {
  const Image img = pattern(200, 100);
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
  const std::vector<float> w = one_hot(g, 4, 4);
  OverlayOptions o;
  const Image plain = render_overlay(img, g, w, o);
  o.label = "dog";
  o.label_line_height = 20;  // padding is a quarter line above and below: 5 + 5
  const Image one_line = render_overlay(img, g, w, o);
  ASSERT_EQ(one_line.width, 200);
  ASSERT_EQ(one_line.height, 100 + 20 + 10);
  EXPECT_TRUE(std::equal(plain.rgb.begin(), plain.rgb.end(), one_line.rgb.begin()));
  int lit = 0;
  for (int y = 100; y < one_line.height; ++y)
    for (int x = 0; x < 200; ++x) lit += at(one_line, x, y)[0] > 128;
  EXPECT_GT(lit, 10);  // the text is drawn

  o.label = "a small brown dog runs after a red ball across the wide green park in the sun";
  o.label_max_lines = 2;
  EXPECT_EQ(render_overlay(img, g, w, o).height, 100 + 2 * 20 + 10);
  o.label = "caf\xC3\xA9 \xF0\x9F\x90\xB6";  // non-ASCII: drawn as '?', never a crash
  EXPECT_EQ(render_overlay(img, g, w, o).height, 100 + 20 + 10);
}

TEST(Overlay, BadInputsAreRefusedWithTheSizes) {
  const Image img = pattern(64, 48);
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);  // 8x8
  const std::vector<float> ok(64, 0.5f);
  OverlayOptions o;
  expect_error_mentions([&] { render_overlay(img, g, std::vector<float>(63, 0.0f), o); },
                        {"render_overlay", "63", "8*8", "64"});
  auto with = [&](size_t i, float v) {
    std::vector<float> w = ok;
    w[i] = v;
    return w;
  };
  expect_error_mentions([&] { render_overlay(img, g, with(5, NAN), o); },
                        {"render_overlay", "weight 5", "finite"});
  expect_error_mentions([&] { render_overlay(img, g, with(9, INFINITY), o); }, {"weight 9"});
  expect_error_mentions([&] { render_overlay(img, g, with(7, -0.1f), o); },
                        {"render_overlay", "weight 7", "negative"});
  for (const float alpha : {-0.01f, 1.5f, std::numeric_limits<float>::quiet_NaN()}) {
    OverlayOptions bad;
    bad.alpha = alpha;
    expect_error_mentions([&] { render_overlay(img, g, ok, bad); }, {"alpha", "[0, 1]"});
  }
  expect_error_mentions([&] { render_overlay(pattern(48, 64), g, ok, o); },
                        {"render_overlay", "64x48", "48x64"});
  expect_error_mentions([&] { render_overlay(Image{}, g, ok, o); }, {"render_overlay", "empty"});
  PatchGrid no_boxes = g;
  no_boxes.boxes.clear();
  expect_error_mentions([&] { render_overlay(img, no_boxes, ok, o); },
                        {"render_overlay", "0 boxes"});
  PatchGrid bad_scale = g;
  bad_scale.scale_x = 0.0f;
  expect_error_mentions([&] { render_overlay(img, bad_scale, ok, o); },
                        {"render_overlay", "scale"});
  OverlayOptions bad_lines;
  bad_lines.label_max_lines = 0;
  expect_error_mentions([&] { render_overlay(img, g, ok, bad_lines); }, {"label_max_lines"});
}

TEST(AttentionSheet, DimensionsFollowTheTileGrid) {
  // Five 200x100 tiles, 3 per row → 2 rows; tile height follows the first tile's aspect.
  std::vector<LabelledImage> tiles;
  const std::vector<Rgb> colours{
      {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}};
  for (size_t i = 0; i < colours.size(); ++i)
    tiles.push_back({solid(200, 100, colours[i]), "tile " + std::to_string(i)});
  LabelledGridOptions o;
  o.tile_width = 100;
  o.label_height = 20;
  o.gap = 4;
  const Image sheet = labelled_grid(tiles, 3, o);
  EXPECT_EQ(sheet.width, 3 * 100 + 4 * 4);
  EXPECT_EQ(sheet.height, 2 * (50 + 20) + 3 * 4);
  EXPECT_EQ(at(sheet, 0, 0), o.background);
  for (int i = 0; i < 5; ++i) {
    const int x = 4 + (i % 3) * 104 + 50, y = 4 + (i / 3) * 74 + 25;
    EXPECT_EQ(at(sheet, x, y), colours[i]) << "tile " << i;
  }
  EXPECT_EQ(at(sheet, 4 + 2 * 104 + 50, 4 + 74 + 25), o.background);  // the sixth cell is empty
  int lit = 0;  // label text under the first tile
  for (int y = 4 + 50; y < 4 + 70; ++y)
    for (int x = 4; x < 104; ++x) lit += at(sheet, x, y) == o.background ? 0 : 1;
  EXPECT_GT(lit, 10);

  // More columns than tiles: the sheet is one row of exactly the tiles.
  const Image row = labelled_grid(tiles, 8, o);
  EXPECT_EQ(row.width, 5 * 100 + 6 * 4);
  EXPECT_EQ(row.height, 50 + 20 + 2 * 4);
}

TEST(AttentionSheet, PicturesKeepTheirAspectRatioCentredInTheCell) {
  std::vector<LabelledImage> tiles{{solid(200, 100, {255, 0, 0}), "wide"},
                                   {solid(50, 100, {0, 0, 255}), "tall"}};
  LabelledGridOptions o;
  o.tile_width = 100;  // cell 100x50: the tall tile becomes 25x50 in the middle
  o.label_height = 0;
  o.gap = 0;
  const Image sheet = labelled_grid(tiles, 2, o);
  ASSERT_EQ(sheet.width, 200);
  ASSERT_EQ(sheet.height, 50);
  EXPECT_EQ(at(sheet, 150, 25), (Rgb{0, 0, 255}));
  EXPECT_EQ(at(sheet, 110, 25), o.background);
  EXPECT_EQ(at(sheet, 190, 25), o.background);
}

TEST(AttentionSheet, WordSheetStartsWithThePlainPictureThenOneOverlayPerWord) {
  const Image img = solid(160, 120, {10, 200, 30});
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
  std::vector<WordAttention> words{
      {"a", one_hot(g, 3, 3)}, {"dog", one_hot(g, 4, 5)}, {"runs", std::vector<float>(64, 1.0f)}};
  LabelledGridOptions o;
  o.tile_width = 160;  // no rescaling: tiles are copied pixel for pixel
  o.gap = 2;
  OverlayOptions overlay;
  overlay.alpha = 1.0f;
  overlay.label = "ignored on sheets";
  const Image sheet = word_attention_sheet(img, g, words, 2, overlay, o);
  EXPECT_EQ(sheet.width, 2 * 160 + 3 * 2);
  EXPECT_EQ(sheet.height, 2 * (120 + 24) + 3 * 2);
  EXPECT_EQ(at(sheet, 2 + 80, 2 + 60), (Rgb{10, 200, 30}));
  OverlayOptions full;
  full.alpha = 1.0f;
  const Image dog = render_overlay(img, g, words[1].weights, full);
  for (int y = 0; y < 120; y += 7)
    for (int x = 0; x < 160; x += 7)
      ASSERT_EQ(at(sheet, 2 + x, 2 + 144 + 2 + y), at(dog, x, y)) << x << "," << y;
  // "runs": uniform attention normalised by its max is the hottest colour everywhere.
  EXPECT_EQ(at(sheet, 2 + 162 + 80, 2 + 144 + 2 + 60), color_map_table(overlay.color_map)[255]);
}

TEST(AttentionSheet, BadInputsAreRefused) {
  expect_error_mentions([] { labelled_grid(std::vector<LabelledImage>{}, 2); },
                        {"labelled_grid", "no tiles"});
  std::vector<LabelledImage> tiles{{solid(10, 10, {0, 0, 0}), "ok"}, {Image{}, "blank"}};
  expect_error_mentions([&] { labelled_grid(tiles, 2); }, {"labelled_grid", "tile 1", "blank"});
  tiles.pop_back();
  expect_error_mentions([&] { labelled_grid(tiles, 0); }, {"columns", "0"});
  LabelledGridOptions o;
  o.tile_width = 2;
  expect_error_mentions([&] { labelled_grid(tiles, 1, o); }, {"tile_width", "2"});
  const Image img = solid(64, 64, {0, 0, 0});
  const PatchGrid g = grid_for(img, ResizeMode::Letterbox);
  const std::vector<WordAttention> words{{"cat", std::vector<float>(64, 1.0f)},
                                         {"sat", std::vector<float>(10, 1.0f)}};
  expect_error_mentions([&] { word_attention_sheet(img, g, words, 3); },
                        {"word 1", "'sat'", "10", "64"});
}

}  // namespace
