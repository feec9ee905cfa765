#include "glimpse/vision/contact_sheet.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kCaptionScale = 0.42;
constexpr double kLabelScale = 0.36;
constexpr int kMargin = 6;
constexpr int kCaptionLines = 4;

// Splits `text` into lines no wider than `width` pixels at kCaptionScale.
std::vector<std::string> wrap(const std::string& text, int width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    const std::string candidate = line.empty() ? word : line + " " + word;
    int baseline = 0;
    if (!line.empty() && cv::getTextSize(candidate, kFont, kCaptionScale, 1, &baseline).width > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// Distinct, saturated box colours (BGR order is irrelevant: the sheet is RGB throughout).
const cv::Scalar kBoxColours[] = {{255, 40, 40}, {40, 220, 40}, {40, 120, 255}, {255, 200, 0}};

}  // namespace

Image make_contact_sheet(const std::vector<ContactTile>& tiles, int columns, int tile_px) {
  check(!tiles.empty() && columns >= 1 && tile_px >= 32, "make_contact_sheet",
        "needs tiles, columns >= 1 and tile_px >= 32");
  int baseline = 0;
  const int line_h = cv::getTextSize("Ag", kFont, kCaptionScale, 1, &baseline).height + baseline + 3;
  const int cell_w = tile_px + 2 * kMargin;
  const int cell_h = tile_px + 2 * kMargin + kCaptionLines * line_h;
  const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
  cv::Mat sheet(rows * cell_h, columns * cell_w, CV_8UC3, cv::Scalar(255, 255, 255));

  for (size_t t = 0; t < tiles.size(); ++t) {
    const ContactTile& tile = tiles[t];
    check(!tile.image.empty(), "make_contact_sheet", "tile " + std::to_string(t) + " has no image");
    const int x0 = static_cast<int>(t % columns) * cell_w + kMargin;
    const int y0 = static_cast<int>(t / columns) * cell_h + kMargin;
    const double scale = static_cast<double>(tile_px) / tile.image.width;
    const int th = static_cast<int>(std::lround(tile.image.height * scale));
    cv::Mat src(tile.image.height, tile.image.width, CV_8UC3, const_cast<uint8_t*>(tile.image.rgb.data()));
    cv::Mat dst = sheet(cv::Rect(x0, y0, tile_px, std::min(th, tile_px)));
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_NEAREST);
    for (size_t b = 0; b < tile.boxes.size(); ++b) {
      const BoxXYWH& box = tile.boxes[b];
      const cv::Scalar colour = kBoxColours[b % 4];
      const cv::Point p0(x0 + static_cast<int>(box.x * scale), y0 + static_cast<int>(box.y * scale));
      const cv::Point p1(x0 + static_cast<int>((box.x + box.w) * scale) - 1,
                         y0 + static_cast<int>((box.y + box.h) * scale) - 1);
      cv::rectangle(sheet, p0, p1, colour, 1);
      if (b < tile.labels.size()) {
        const cv::Size ts = cv::getTextSize(tile.labels[b], kFont, kLabelScale, 1, &baseline);
        const cv::Point at(p0.x, std::max(y0 + ts.height + 1, p0.y - 2));
        cv::rectangle(sheet, cv::Point(at.x, at.y - ts.height - 1), cv::Point(at.x + ts.width, at.y + 2),
                      colour, cv::FILLED);
        cv::putText(sheet, tile.labels[b], at, kFont, kLabelScale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
      }
    }
    const auto lines = wrap(tile.caption, tile_px);
    for (int l = 0; l < std::min<int>(kCaptionLines, static_cast<int>(lines.size())); ++l)
      cv::putText(sheet, lines[static_cast<size_t>(l)], cv::Point(x0, y0 + tile_px + (l + 1) * line_h),
                  kFont, kCaptionScale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  Image out;
  out.width = sheet.cols;
  out.height = sheet.rows;
  out.rgb.assign(sheet.data, sheet.data + static_cast<size_t>(sheet.cols) * sheet.rows * 3);
  return out;
}

}  // namespace glimpse::vision
