// Bad and unusual image files (issue 12): the committed corpus in tests/data/bad/images/
// (made by tests/data/bad/make_bad_images.py, which says how each file was made) and variants
// built from it here. A bad file must be refused with a glimpse::Error that names the file and
// the problem, never decoded into a silently wrong picture (OpenCV fills a truncated PNG or JPEG
// with grey) and never crash; an unusual but valid file must come out with the right pixels,
// upright.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/vision/image.h"
#include "test_files.h"

namespace {

using namespace glimpse;
using namespace glimpse::vision;
namespace fs = std::filesystem;

// __FILE__ is the absolute path CMake compiles this file by, so the corpus is found from any
// build tree (release, ASan) without a compile definition.
const fs::path kCorpus = fs::path(__FILE__).parent_path() / "data" / "bad" / "images";

std::string corpus(const std::string& name) { return (kCorpus / name).string(); }
std::string corpus_bytes(const std::string& name) { return glimpse::testing::read_file(kCorpus / name); }

// The message of the glimpse::Error `fn` throws; fails the test if it throws nothing or
// anything else.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected glimpse::Error, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected glimpse::Error, nothing was thrown";
  return {};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Rgb {
  int r, g, b;
};

// Within `tolerance` per channel (lossy JPEG); 0 for exact formats.
void expect_pixel(const Image& img, int x, int y, Rgb want, int tolerance, const std::string& what) {
  ASSERT_TRUE(x >= 0 && y >= 0 && x < img.width && y < img.height) << what;
  const uint8_t* p = img.pixel(x, y);
  EXPECT_LE(std::abs(p[0] - want.r), tolerance) << what << " at (" << x << "," << y << ") R=" << int(p[0]);
  EXPECT_LE(std::abs(p[1] - want.g), tolerance) << what << " at (" << x << "," << y << ") G=" << int(p[1]);
  EXPECT_LE(std::abs(p[2] - want.b), tolerance) << what << " at (" << x << "," << y << ") B=" << int(p[2]);
}

// The corpus's 32x24 pictures have one colour per quadrant (top-left, top-right, bottom-left,
// bottom-right); this samples each 4 px in from its corner.
void expect_quadrants(const Image& img, Rgb tl, Rgb tr, Rgb bl, Rgb br, int tolerance, const std::string& what) {
  ASSERT_EQ(img.width, 32) << what;
  ASSERT_EQ(img.height, 24) << what;
  expect_pixel(img, 3, 3, tl, tolerance, what + " top-left");
  expect_pixel(img, 28, 3, tr, tolerance, what + " top-right");
  expect_pixel(img, 3, 20, bl, tolerance, what + " bottom-left");
  expect_pixel(img, 28, 20, br, tolerance, what + " bottom-right");
}

constexpr Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255}, kYellow{255, 255, 0},
    kWhite{255, 255, 255}, kBlack{0, 0, 0};
constexpr int kJpegTolerance = 24;  // quality 95, 4:4:4: colour blocks come back within a few levels

// The refused corpus files and the words their error must contain, besides the file name.
const std::map<std::string, std::vector<std::string>> kRefused = {
    {"empty.png", {"file is empty"}},
    {"text.png", {"not a supported image", "text"}},
    {"truncated.png", {"truncated PNG", "IEND"}},
    {"truncated.jpg", {"truncated JPEG", "end-of-image marker"}},
    {"animated.gif", {"GIF is not supported"}},
    {"bomb.png", {"100000x100000", "over the limit"}},
};

TEST(BadImages, EachRefusedCorpusFileNamesItselfAndItsProblem) {
  for (const auto& refused : kRefused) {
    const std::string& name = refused.first;  // not a structured binding: lambdas capture it
    const std::vector<std::string>& words = refused.second;
    const std::string message = error_of([&] { load_image(corpus(name)); });
    EXPECT_TRUE(contains(message, name)) << message;
    for (const std::string& w : words) EXPECT_TRUE(contains(message, w)) << name << ": " << message;
  }
}

// Every file in the folder either loads or is one of the refused ones above: a new corpus file
// must be classified here, and none may crash or throw anything but glimpse::Error.
TEST(BadImages, EveryCorpusFileLoadsOrIsRefusedWithAGlimpseError) {
  int loaded = 0, refused = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::string name = entry.path().filename().string();
    const bool should_refuse = kRefused.count(name) != 0;
    try {
      const Image img = load_image(entry.path().string());
      EXPECT_FALSE(should_refuse) << name << " loaded but must be refused";
      EXPECT_FALSE(img.empty()) << name;
      ++loaded;
    } catch (const Error& e) {
      EXPECT_TRUE(should_refuse) << name << " was refused: " << e.what();
      ++refused;
    }
  }
  EXPECT_EQ(refused, static_cast<int>(kRefused.size()));
  EXPECT_EQ(loaded, 19);  // the valid files the generator writes
}

// The guard against silent grey fill: any cut of a complete PNG or JPEG must be refused, at
// every length, including cuts inside an EXIF thumbnail (which has its own end-of-image marker),
// between the scans of a progressive file and between restart intervals.
TEST(BadImages, EveryPrefixOfAValidPngOrJpegIsRefusedAsTruncated) {
  for (const std::string name : {"rgba.png", "grey16.png", "orientation-6.png", "orientation-1.jpg",
                                 "exif-thumbnail.jpg", "progressive-restart.jpg", "cmyk.jpg"}) {
    const std::string whole = corpus_bytes(name);
    ASSERT_GT(whole.size(), 50u) << name;
    ASSERT_NO_THROW(decode_image(whole, name)) << name;
    const bool png = name.ends_with(".png");
    const size_t signature = png ? 8 : 3;  // shorter than the signature: not recognisably either
    for (size_t n = 1; n < whole.size(); ++n) {
      const std::string message = error_of([&] { decode_image(whole.substr(0, n), name); });
      if (n >= signature) {
        ASSERT_TRUE(contains(message, png ? "truncated PNG" : "truncated JPEG"))
            << name << " cut to " << n << " of " << whole.size() << " bytes: " << message;
      }
    }
  }
}

// Bytes after the end are not a truncation: cameras pad JPEGs with zeros, phones append a video
// (motion photos) or a second picture (MPO), and libpng ignores data after IEND.
TEST(BadImages, DataAfterTheEndMarkerIsIgnored) {
  expect_quadrants(load_image(corpus("trailing-zeros.jpg")), kRed, kGreen, kBlue, kYellow, kJpegTolerance,
                   "trailing-zeros.jpg");
  const Image jpeg = decode_image(corpus_bytes("orientation-1.jpg") + "ftypmp42 and a video", "motion.jpg");
  expect_quadrants(jpeg, kRed, kGreen, kBlue, kYellow, kJpegTolerance, "motion.jpg");
  const Image png = decode_image(corpus_bytes("rgba.png") + std::string(100, '\0'), "padded.png");
  EXPECT_EQ(png.rgb, load_image(corpus("rgba.png")).rgb);
}

// Lengths that point outside the file must be refused from the structure alone (without
// reading past the buffer; the ASan build checks that); a PNG must start with IHDR, and its
// chunks must have letter types and, for the critical ones, the right CRC.
TEST(BadImages, CorruptLengthsAndChunkOrderAreRefused) {
  const std::string png = corpus_bytes("rgba.png");
  const size_t idat = png.find("IDAT") - 4;  // its length field
  auto with_length = [&](uint32_t length) {
    std::string b = png;
    for (int i = 0; i < 4; ++i) b[idat + i] = static_cast<char>(length >> (24 - 8 * i));
    return b;
  };
  EXPECT_TRUE(contains(error_of([&] { decode_image(with_length(0x7ffffff0u), "long.png"); }), "truncated PNG"));
  EXPECT_TRUE(contains(error_of([&] { decode_image(with_length(0xffffffffu), "huge.png"); }), "corrupt PNG"));
  // A flipped bit in the image data: refused from the chunk's CRC, before libpng (which would
  // print its own "libpng error" line to stderr) sees it.
  std::string flipped = png;
  flipped[idat + 8 + 5] = static_cast<char>(flipped[idat + 8 + 5] ^ 0x10);
  EXPECT_TRUE(contains(error_of([&] { decode_image(flipped, "flipped.png"); }), "chunk 'IDAT' at byte 33 fails its CRC"));
  std::string bad_type = png;
  bad_type[idat + 6] = '\xff';  // "ID\xffT"
  EXPECT_TRUE(contains(error_of([&] { decode_image(bad_type, "type.png"); }), "no valid type"));
  std::string no_ihdr = png;
  no_ihdr.replace(12, 4, "tEXt");
  EXPECT_TRUE(contains(error_of([&] { decode_image(no_ihdr, "order.png"); }), "not a 13-byte IHDR"));

  std::string jpeg = corpus_bytes("orientation-1.jpg");
  ASSERT_EQ(static_cast<unsigned char>(jpeg[2]), 0xFF);  // the first segment's marker
  jpeg[4] = 0;
  jpeg[5] = 1;  // a segment length below 2 (the length counts its own two bytes)
  EXPECT_TRUE(contains(error_of([&] { decode_image(jpeg, "length.jpg"); }), "corrupt JPEG"));
}

// BMP's signature is just "BM": the header-size field must be one BMP uses, or a text file
// starting "BM" would be reported as a bitmap with a nonsense size instead of as text. Text is
// refused without asking OpenCV, whose BMP decoder would print its own complaint to stderr.
TEST(BadImages, TextThatStartsLikeABitmapIsCalledText) {
  const std::string message =
      error_of([] { decode_image("BMW 320d for sale, one owner, full service history.\n", "car.bmp"); });
  EXPECT_TRUE(contains(message, "car.bmp") && contains(message, "it looks like a text file")) << message;
}

// The one text format that is a picture: ASCII PNM must still reach OpenCV's decoder.
TEST(BadImages, AsciiPnmIsTextButStillAPicture) {
  const Image img = decode_image("P3\n2 1\n255\n255 0 0   0 0 255\n", "two.ppm");
  ASSERT_EQ(img.width, 2);
  ASSERT_EQ(img.height, 1);
  expect_pixel(img, 0, 0, kRed, 0, "two.ppm");
  expect_pixel(img, 1, 0, kBlue, 0, "two.ppm");
}

TEST(BadImages, SixteenBitGreyAlphaAndPalettePngsComeOutAsEightBitRgbOnWhite) {
  // 16-bit samples scale by 1/257: 0xFFFF -> 255, 0x8080 -> 128.
  expect_quadrants(load_image(corpus("rgb16.png")), kRed, kGreen, kBlue, {255, 128, 0}, 0, "rgb16.png");
  expect_quadrants(load_image(corpus("grey.png")), kBlack, {85, 85, 85}, {170, 170, 170}, kWhite, 0, "grey.png");
  expect_quadrants(load_image(corpus("grey16.png")), kBlack, {85, 85, 85}, {170, 170, 170}, kWhite, 0, "grey16.png");
  // Alpha composites on white: a = 128 over white gives (v*128 + 255*127 + 127) / 255.
  const int half_over_white = (255 * 127 + 127) / 255;  // 127
  expect_quadrants(load_image(corpus("grey_alpha.png")), kBlack, kWhite,
                   {half_over_white, half_over_white, half_over_white}, {200, 200, 200}, 0, "grey_alpha.png");
  for (const std::string name : {"rgba.png", "palette_alpha.png"})
    expect_quadrants(load_image(corpus(name)), kRed, kWhite, {half_over_white, half_over_white, 255}, kYellow, 0, name);
}

// Adobe CMYK (inverted, as Photoshop and libjpeg write it with an APP14 marker) must give the
// colours of the inks, not their negatives: cyan, magenta, yellow, and 50% black as mid grey.
TEST(BadImages, CmykJpegHasTheInksColours) {
  expect_quadrants(load_image(corpus("cmyk.jpg")), {0, 255, 255}, {255, 0, 255}, {255, 255, 0}, {127, 127, 127},
                   kJpegTolerance, "cmyk.jpg");
}

// Each orientation file stores the quadrants picture transformed the inverse way of its EXIF
// tag (5..8 are stored 24x32), so every one must come out as the same upright 32x24 picture:
// red top-left, green top-right, blue bottom-left, yellow bottom-right. OpenCV's IMREAD_COLOR
// gives the same pixels for all of them (checked when this was written); IMREAD_UNCHANGED, which
// decode_image needs for alpha and 16 bits, ignores the tag.
TEST(BadImages, ExifOrientationIsAppliedForAllEightValuesAndForPngExif) {
  for (int n = 1; n <= 8; ++n) {
    const std::string name = "orientation-" + std::to_string(n) + ".jpg";
    expect_quadrants(load_image(corpus(name)), kRed, kGreen, kBlue, kYellow, kJpegTolerance, name);
  }
  expect_quadrants(load_image(corpus("orientation-6.png")), kRed, kGreen, kBlue, kYellow, 0, "orientation-6.png");
  expect_quadrants(load_image(corpus("exif-thumbnail.jpg")), kRed, kGreen, kBlue, kYellow, kJpegTolerance,
                   "exif-thumbnail.jpg");
}

// A tag value outside 1..8 is unreadable metadata: ignored (the picture as stored), as OpenCV
// ignores it, rather than making a readable picture unreadable.
TEST(BadImages, AnInvalidOrientationValueIsIgnored) {
  std::string b = corpus_bytes("orientation-6.jpg");  // big-endian EXIF
  const std::string entry("\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06", 10);  // Orientation SHORT 1 = 6
  const size_t at = b.find(entry);
  ASSERT_NE(at, std::string::npos);
  b[at + 9] = 9;
  const Image stored = decode_image(b, "orientation-9.jpg");
  EXPECT_EQ(stored.width, 24);
  EXPECT_EQ(stored.height, 32);
}

// The size budgets are checked before the work they bound: the file size before reading (one
// byte over is refused, exactly at the budget loads), the pixel count from the header before
// decoding (bomb.png above; here the boundary on a real picture).
TEST(BadImages, FileSizeAndPixelBudgetsHoldAtTheirBoundaries) {
  const fs::path dir = glimpse::testing::fresh_temp_dir("bad_images", "budget");
  ImageLimits limits;
  limits.max_file_bytes = 64 * 1024;
  const std::string png = corpus_bytes("rgba.png");
  const fs::path at_budget = dir / "at-budget.png", over = dir / "over-budget.png";
  // Padding after IEND is ignored by the decoder, so only the size differs.
  write_bytes(at_budget, png + std::string(limits.max_file_bytes - png.size(), '\0'));
  write_bytes(over, png + std::string(limits.max_file_bytes + 1 - png.size(), '\0'));
  EXPECT_NO_THROW(load_image(at_budget.string(), limits));
  const std::string message = error_of([&] { load_image(over.string(), limits); });
  EXPECT_TRUE(contains(message, "over-budget.png")) << message;
  EXPECT_TRUE(contains(message, "65537 bytes, over the 65536-byte limit")) << message;

  ImageLimits pixels;
  pixels.max_pixels = 32 * 24;
  EXPECT_NO_THROW(load_image(corpus("orientation-6.jpg"), pixels));
  pixels.max_pixels = 32 * 24 - 1;
  EXPECT_TRUE(contains(error_of([&] { load_image(corpus("orientation-6.jpg"), pixels); }), "over the limit"));
  ImageLimits side;
  side.max_side = 31;
  EXPECT_TRUE(contains(error_of([&] { load_image(corpus("grey.png"), side); }), "32x24 pixels is over the limit"));
  fs::remove_all(dir);
}

TEST(BadImages, MissingFilesAndDirectoriesAreNamed) {
  const std::string missing = error_of([] { load_image(corpus("no-such-file.png")); });
  EXPECT_TRUE(contains(missing, "no-such-file.png") && contains(missing, "cannot open")) << missing;
  const std::string folder = error_of([] { load_image(kCorpus.string()); });
  EXPECT_TRUE(contains(folder, "is a directory")) << folder;
}

}  // namespace
