#include "glimpse/vision/attention_sheet.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"
#include "label_text.h"

namespace glimpse::vision {
namespace {

constexpr int64_t kMaxSheetPixels = int64_t{100} << 20;  // the decoder's default limit too

void validate(const LabelledGridOptions& o) {
  const std::string where = "LabelledGridOptions";
  check(o.tile_width >= 8 && o.tile_width <= 4096, where,
        "tile_width must be in [8, 4096], got " + std::to_string(o.tile_width));
  check(o.tile_height == 0 || (o.tile_height >= 8 && o.tile_height <= 4096), where,
        "tile_height must be 0 (from the first picture) or in [8, 4096], got " +
            std::to_string(o.tile_height));
  check(o.label_height == 0 || (o.label_height >= 8 && o.label_height <= 256), where,
        "label_height must be 0 (no labels) or in [8, 256], got " + std::to_string(o.label_height));
  check(o.gap >= 0 && o.gap <= 256, where, "gap must be in [0, 256], got " + std::to_string(o.gap));
}

}  // namespace

TileSize labelled_grid_tile_size(std::span<const LabelledImage> tiles,
                                 const LabelledGridOptions& options) {
  validate(options);
  check(!tiles.empty(), "labelled_grid", "no tiles");
  for (size_t i = 0; i < tiles.size(); ++i) {
    const Image& im = tiles[i].image;
    check(!im.empty() && im.rgb.size() == static_cast<size_t>(im.width) * im.height * 3,
          "labelled_grid",
          "tile " + std::to_string(i) + " ('" + tiles[i].label + "') is " +
              std::to_string(im.width) + "x" + std::to_string(im.height) +
              ": empty or its buffer holds " + std::to_string(im.rgb.size()) + " bytes");
  }
  TileSize size{options.tile_width, options.tile_height};
  if (size.height == 0) {
    const Image& first = tiles.front().image;
    const double h =
        std::round(static_cast<double>(options.tile_width) * first.height / first.width);
    size.height = static_cast<int>(std::clamp(h, 1.0, 4096.0));
  }
  return size;
}

Image labelled_grid(std::span<const LabelledImage> tiles, int columns,
                    const LabelledGridOptions& options) {
  const TileSize tile = labelled_grid_tile_size(tiles, options);
  check(columns >= 1 && columns <= 256, "labelled_grid",
        "columns must be in [1, 256], got " + std::to_string(columns));
  const int count = static_cast<int>(tiles.size());
  const int cols = std::min(columns, count);
  const int rows = (count + cols - 1) / cols;
  const int cell_height = tile.height + options.label_height;
  const int64_t sheet_w =
      static_cast<int64_t>(cols) * tile.width + static_cast<int64_t>(cols + 1) * options.gap;
  const int64_t sheet_h =
      static_cast<int64_t>(rows) * cell_height + static_cast<int64_t>(rows + 1) * options.gap;
  check(sheet_w * sheet_h <= kMaxSheetPixels, "labelled_grid",
        std::to_string(count) + " tiles in " + std::to_string(cols) + " columns make a " +
            std::to_string(sheet_w) + "x" + std::to_string(sheet_h) + " sheet, over the " +
            std::to_string(kMaxSheetPixels) + "-pixel limit");

  Image sheet;
  sheet.width = static_cast<int>(sheet_w);
  sheet.height = static_cast<int>(sheet_h);
  sheet.rgb.resize(static_cast<size_t>(sheet_w * sheet_h) * 3);
  cv::Mat canvas(sheet.height, sheet.width, CV_8UC3, sheet.rgb.data());
  const Rgb& bg = options.background;
  canvas.setTo(cv::Scalar(bg[0], bg[1], bg[2]));

  for (int i = 0; i < count; ++i) {
    const LabelledImage& t = tiles[static_cast<size_t>(i)];
    const int cell_x = options.gap + (i % cols) * (tile.width + options.gap);
    const int cell_y = options.gap + (i / cols) * (cell_height + options.gap);
    // Fit inside the cell, keeping the aspect ratio; centred.
    const double fit = std::min(static_cast<double>(tile.width) / t.image.width,
                                static_cast<double>(tile.height) / t.image.height);
    const int w = std::clamp(static_cast<int>(std::lround(t.image.width * fit)), 1, tile.width);
    const int h = std::clamp(static_cast<int>(std::lround(t.image.height * fit)), 1, tile.height);
    const cv::Mat src(t.image.height, t.image.width, CV_8UC3,
                      const_cast<uint8_t*>(t.image.rgb.data()));
    cv::Mat dst =
        canvas(cv::Rect(cell_x + (tile.width - w) / 2, cell_y + (tile.height - h) / 2, w, h));
    // The ROI already has the target size and type, so resize writes into the sheet in place.
    // Area averaging when shrinking keeps photos free of aliasing.
    cv::resize(src, dst, dst.size(), 0, 0, fit < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);

    if (options.label_height > 0) {
      const std::vector<std::string> line =
          label_text::wrap(t.label, tile.width, options.label_height, 1);
      if (!line.empty())
        label_text::draw_line(canvas, line.front(), cv::Point(cell_x, cell_y + tile.height),
                              tile.width, options.label_height, options.text_colour, true);
    }
  }
  return sheet;
}

Image word_attention_sheet(const Image& original, const PatchGrid& grid,
                           std::span<const WordAttention> words, int columns,
                           const OverlayOptions& overlay, const LabelledGridOptions& options,
                           const std::string& plain_label) {
  OverlayOptions per_word = overlay;
  per_word.label.clear();
  std::vector<LabelledImage> tiles;
  tiles.reserve(words.size() + 1);
  tiles.push_back({original, plain_label});
  for (size_t i = 0; i < words.size(); ++i) {
    try {
      tiles.push_back({render_overlay(original, grid, words[i].weights, per_word), words[i].word});
    } catch (const Error& e) {
      throw Error("word_attention_sheet: word " + std::to_string(i) + " ('" + words[i].word +
                  "'): " + e.what());
    }
  }
  return labelled_grid(tiles, columns, options);
}

}  // namespace glimpse::vision
