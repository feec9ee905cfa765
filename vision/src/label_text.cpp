#include "label_text.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <sstream>

namespace glimpse::vision::label_text {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
const std::string kEllipsis = "...";

// Glyph size for a band of `line_height` pixels: capitals fill a little over half the band,
// leaving room for descenders and spacing between wrapped lines.
struct FontSize {
  double scale;
  int thickness;
};

FontSize font_for(int line_height) {
  const int thickness = std::max(1, line_height / 20);
  const int cap_height = std::max(4, static_cast<int>(line_height * 0.5));
  return {cv::getFontScaleFromHeight(kFont, cap_height, thickness), thickness};
}

int text_width(const std::string& text, const FontSize& f) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, f.scale, f.thickness, &baseline).width;
}

// Longest prefix of `text` that, followed by `suffix`, fits in `width`.
std::string fit_prefix(const std::string& text, const std::string& suffix, int width,
                       const FontSize& f) {
  size_t n = text.size();
  while (n > 0 && text_width(text.substr(0, n) + suffix, f) > width) --n;
  return text.substr(0, n) + suffix;
}

}  // namespace

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte < 0x7F)
      out += ch;
    else if (byte >= 0xC0)
      out += '?';  // lead byte of a multi-byte UTF-8 character
    else if (byte < 0x80)
      out += ' ';  // control character (continuation bytes are dropped)
  }
  return out;
}

std::vector<std::string> wrap(const std::string& text, int width, int line_height, int max_lines) {
  const FontSize f = font_for(line_height);
  std::istringstream words(printable(text));
  std::vector<std::string> lines;
  std::string line, word;
  bool truncated = false;
  while (words >> word) {
    const std::string joined = line.empty() ? word : line + " " + word;
    if (text_width(joined, f) <= width) {
      line = joined;
      continue;
    }
    if (!line.empty()) {
      lines.push_back(line);
      line.clear();
    }
    if (static_cast<int>(lines.size()) == max_lines) {
      truncated = true;
      break;
    }
    line = text_width(word, f) <= width ? word : fit_prefix(word, "", width, f);
  }
  if (!truncated && !line.empty()) {
    if (static_cast<int>(lines.size()) < max_lines)
      lines.push_back(line);
    else
      truncated = true;
  }
  if (truncated && !lines.empty()) lines.back() = fit_prefix(lines.back(), kEllipsis, width, f);
  return lines;
}

void draw_line(cv::Mat& rgb, const std::string& line, cv::Point origin, int width, int line_height,
               const Rgb& colour, bool centred) {
  const FontSize f = font_for(line_height);
  int baseline = 0;
  const cv::Size size = cv::getTextSize(line, kFont, f.scale, f.thickness, &baseline);
  const int x = centred ? origin.x + std::max(0, (width - size.width) / 2) : origin.x;
  const int y = origin.y + (line_height - size.height - baseline) / 2 + size.height;
  cv::putText(rgb, line, cv::Point(x, y), kFont, f.scale,
              cv::Scalar(colour[0], colour[1], colour[2]), f.thickness, cv::LINE_AA);
}

}  // namespace glimpse::vision::label_text
