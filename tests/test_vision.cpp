// Image decoding limits and errors, and the preprocessing geometry that maps patches back to
// the original picture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "glimpse/core/error.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace {

using namespace glimpse;
using namespace glimpse::vision;

Image solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < img.rgb.size(); i += 3) {
    img.rgb[i] = r;
    img.rgb[i + 1] = g;
    img.rgb[i + 2] = b;
  }
  return img;
}

Image gradient(int w, int h) {
  Image img = solid(w, h, 0, 0, 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = img.pixel(x, y);
      p[0] = static_cast<uint8_t>(x * 255 / std::max(1, w - 1));
      p[1] = static_cast<uint8_t>(y * 255 / std::max(1, h - 1));
      p[2] = 77;
    }
  return img;
}

std::string temp_path(const std::string& name) {
  // Prefixed with the process id: ctest runs tests of one file in parallel processes.
  return (std::filesystem::path(::testing::TempDir()) / (std::to_string(::getpid()) + "-" + name))
      .string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void expect_error_mentions(const std::function<void()>& fn, const std::string& a,
                           const std::string& b) {
  try {
    fn();
    FAIL() << "expected glimpse::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(a), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(b), std::string::npos) << e.what();
  }
}

TEST(Image, PngRoundTripIsExact) {
  const Image img = gradient(37, 23);
  const std::string path = temp_path("roundtrip.png");
  save_png(path, img);
  const Image back = load_image(path);
  ASSERT_EQ(back.width, 37);
  ASSERT_EQ(back.height, 23);
  EXPECT_EQ(back.rgb, img.rgb);
}

TEST(Image, MissingEmptyCorruptAndTruncatedFilesAreRefusedByName) {
  expect_error_mentions([] { load_image(temp_path("does-not-exist.png")); }, "does-not-exist.png",
                        "cannot open");
  const std::string empty = temp_path("empty.png");
  write_bytes(empty, "");
  expect_error_mentions([&] { load_image(empty); }, "empty.png", "empty");
  const std::string junk = temp_path("junk.jpg");
  write_bytes(junk, std::string(500, 'x'));
  expect_error_mentions([&] { load_image(junk); }, "junk.jpg", "not a supported image");
  // Truncated PNG: header intact, data cut.
  const std::string png = encode_png(gradient(64, 64));
  const std::string cut = temp_path("cut.png");
  write_bytes(cut, png.substr(0, png.size() / 2));
  expect_error_mentions([&] { load_image(cut); }, "cut.png", "");
  expect_error_mentions([&] { load_image(::testing::TempDir()); }, "image", "");
}

TEST(Image, HugeDimensionsInTheHeaderAreRefusedBeforeDecoding) {
  std::string png = encode_png(solid(4, 4, 1, 2, 3));
  // IHDR width/height live at bytes 16..23; claim 100000 x 100000.
  const uint32_t big = 100000;
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 4; ++i) png[16 + 4 * k + i] = static_cast<char>((big >> (24 - 8 * i)) & 0xff);
  const std::string path = temp_path("bomb.png");
  write_bytes(path, png);
  expect_error_mentions([&] { load_image(path); }, "bomb.png", "over the limit");
}

TEST(Image, FileSizeLimitIsEnforced) {
  const std::string path = temp_path("big.png");
  save_png(path, gradient(64, 64));
  ImageLimits limits;
  limits.max_file_bytes = 10;
  expect_error_mentions([&] { load_image(path, limits); }, "big.png", "limit");
}

TEST(Preprocess, ConfigIsValidated) {
  PreprocessConfig c;
  c.patch_size = 15;  // does not divide 128
  expect_error_mentions([&] { validate(c); }, "PreprocessConfig", "patch_size");
  c = PreprocessConfig{};
  c.std[1] = 0.0f;
  expect_error_mentions([&] { validate(c); }, "PreprocessConfig", "std");
}

TEST(Preprocess, SolidColourNormalisesToTheSameValueInEveryPatch) {
  PreprocessConfig c;
  c.image_size = 32;
  c.patch_size = 8;
  c.mode = ResizeMode::Stretch;
  const auto prepared = prepare_image(solid(50, 70, 255, 0, 128), c);
  ASSERT_EQ(prepared.patches.dim(0), 16);
  ASSERT_EQ(prepared.patches.dim(1), 3 * 8 * 8);
  const float expect[3] = {(1.0f - 0.5f) / 0.5f, (0.0f - 0.5f) / 0.5f, (128 / 255.0f - 0.5f) / 0.5f};
  for (int64_t p = 0; p < 16; ++p)
    for (int ch = 0; ch < 3; ++ch)
      for (int i = 0; i < 64; ++i)  // channel-major layout: channel ch occupies [ch*64, ch*64+64)
        ASSERT_NEAR(prepared.patches[p * 192 + ch * 64 + i], expect[ch], 1e-6f);
}

TEST(Preprocess, LetterboxPadsWithZeroAndMapsPatchesBackToTheOriginal) {
  PreprocessConfig c;
  c.image_size = 32;
  c.patch_size = 8;  // 4x4 grid
  c.mode = ResizeMode::Letterbox;
  // 64 wide, 32 high: scale 0.5 -> 32x16 placed at rows 8..24.
  const auto prepared = prepare_image(solid(64, 32, 255, 255, 255), c);
  const auto& g = prepared.grid;
  EXPECT_EQ(g.rows, 4);
  EXPECT_FLOAT_EQ(g.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(g.offset_y, 8.0f);
  // Top patch row lies in padding: zero after normalisation, empty box.
  for (int i = 0; i < 192; ++i) ASSERT_EQ(prepared.patches[i], 0.0f);
  EXPECT_EQ(g.boxes[0].y0, g.boxes[0].y1);
  // Second row (model rows 8..16) covers original rows 0..16, columns 0..16 for patch 0.
  const PixelBox b = g.boxes[4];
  EXPECT_FLOAT_EQ(b.x0, 0.0f);
  EXPECT_FLOAT_EQ(b.x1, 16.0f);
  EXPECT_FLOAT_EQ(b.y0, 0.0f);
  EXPECT_FLOAT_EQ(b.y1, 16.0f);
  // White normalises to +1.
  EXPECT_NEAR(prepared.patches[4 * 192], 1.0f, 1e-6f);
  // The boxes of the non-padding rows tile the picture.
  float area = 0;
  for (const auto& box : g.boxes) area += (box.x1 - box.x0) * (box.y1 - box.y0);
  EXPECT_NEAR(area, 64.0f * 32.0f, 1e-3f);
}

TEST(Preprocess, CenterCropCutsTheLongerSide) {
  PreprocessConfig c;
  c.image_size = 16;
  c.patch_size = 8;
  c.mode = ResizeMode::CenterCrop;
  const auto prepared = prepare_image(gradient(100, 50), c);
  const auto& g = prepared.grid;
  // Scale 16/50; the resized width 32 is cut to the centre 16: original x from 25 to 75.
  EXPECT_NEAR(g.boxes[0].x0, 25.0f, 1e-4f);
  EXPECT_NEAR(g.boxes[1].x1, 75.0f, 1e-4f);
  EXPECT_NEAR(g.boxes[2].y1, 50.0f, 1e-4f);
}

TEST(Preprocess, PatchLayoutIsChannelMajorRowByRow) {
  PreprocessConfig c;
  c.image_size = 4;
  c.patch_size = 2;
  c.mode = ResizeMode::Stretch;
  c.mean = {0, 0, 0};
  c.std = {1, 1, 1};
  Image img = solid(4, 4, 0, 0, 0);
  img.pixel(3, 0)[0] = 255;  // red at x=3, y=0: patch (0, 1), local (y=0, x=1), channel 0
  img.pixel(0, 3)[2] = 255;  // blue at x=0, y=3: patch (1, 0), local (y=1, x=0), channel 2
  const auto prepared = prepare_image(img, c);
  EXPECT_FLOAT_EQ(prepared.patches[1 * 12 + 0 * 4 + 0 * 2 + 1], 1.0f);
  EXPECT_FLOAT_EQ(prepared.patches[2 * 12 + 2 * 4 + 1 * 2 + 0], 1.0f);
  float total = 0;
  for (int64_t i = 0; i < prepared.patches.size(); ++i) total += prepared.patches[i];
  EXPECT_FLOAT_EQ(total, 2.0f);
}

}  // namespace
