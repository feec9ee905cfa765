#include "glimpse/vision/sprite.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

cv::Mat as_mat(const Sprite& s) {
  return cv::Mat(s.height, s.width, CV_8UC4, const_cast<uint8_t*>(s.rgba.data()));
}

Sprite from_mat(const cv::Mat& m) {
  Sprite s;
  s.width = m.cols;
  s.height = m.rows;
  s.rgba.resize(static_cast<size_t>(m.cols) * m.rows * 4);
  for (int y = 0; y < m.rows; ++y)
    std::copy_n(m.ptr<uint8_t>(y), m.cols * 4, s.rgba.data() + static_cast<size_t>(y) * m.cols * 4);
  return s;
}

}  // namespace

Sprite crop_to_visible(const uint8_t* rgba, int width, int height, size_t pitch, const std::string& what) {
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = rgba + y * pitch;
    for (int x = 0; x < width; ++x) {
      if (row[x * 4 + 3] == 0) continue;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) throw Error(what + ": artwork is fully transparent");
  Sprite s;
  s.width = x1 - x0 + 1;
  s.height = y1 - y0 + 1;
  s.rgba.resize(static_cast<size_t>(s.width) * s.height * 4);
  for (int y = 0; y < s.height; ++y)
    std::copy_n(rgba + (y0 + y) * pitch + x0 * 4, s.width * 4,
                s.rgba.data() + static_cast<size_t>(y) * s.width * 4);
  return s;
}

Sprite load_image_sprite(const std::string& path, const std::string& what, const std::string& missing_hint) {
  if (!std::filesystem::is_regular_file(path))
    throw Error(what + ": artwork '" + path + "' not found (" + missing_hint + ")");
  cv::Mat m = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (m.empty()) throw Error(what + ": cannot decode '" + path + "'");
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257.0);
  if (m.depth() != CV_8U) throw Error(what + ": '" + path + "' has an unsupported pixel depth");
  cv::Mat bgra;
  switch (m.channels()) {
    case 1: cv::cvtColor(m, bgra, cv::COLOR_GRAY2BGRA); break;
    case 3: cv::cvtColor(m, bgra, cv::COLOR_BGR2BGRA); break;
    case 4: bgra = m; break;
    default: throw Error(what + ": '" + path + "' has " + std::to_string(m.channels()) + " channels");
  }
  std::vector<uint8_t> rgba(static_cast<size_t>(bgra.cols) * bgra.rows * 4);
  for (int y = 0; y < bgra.rows; ++y) {
    const uint8_t* src = bgra.ptr<uint8_t>(y);
    uint8_t* dst = rgba.data() + static_cast<size_t>(y) * bgra.cols * 4;
    for (int x = 0; x < bgra.cols; ++x) {
      const int a = src[x * 4 + 3];
      dst[x * 4 + 0] = static_cast<uint8_t>((src[x * 4 + 2] * a + 127) / 255);
      dst[x * 4 + 1] = static_cast<uint8_t>((src[x * 4 + 1] * a + 127) / 255);
      dst[x * 4 + 2] = static_cast<uint8_t>((src[x * 4 + 0] * a + 127) / 255);
      dst[x * 4 + 3] = static_cast<uint8_t>(a);
    }
  }
  return crop_to_visible(rgba.data(), bgra.cols, bgra.rows, static_cast<size_t>(bgra.cols) * 4, what);
}

Sprite scale_sprite(const Sprite& sprite, int longer_side) {
  const int longer = std::max(sprite.width, sprite.height);
  const double f = static_cast<double>(longer_side) / longer;
  const int w = std::max(1, static_cast<int>(std::lround(sprite.width * f)));
  const int h = std::max(1, static_cast<int>(std::lround(sprite.height * f)));
  cv::Mat out;
  cv::resize(as_mat(sprite), out, cv::Size(w, h), 0, 0, f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return from_mat(out);
}

Sprite rotate_sprite(const Sprite& sprite, float degrees) {
  const double rad = degrees * std::numbers::pi / 180.0;
  const double c = std::fabs(std::cos(rad)), s = std::fabs(std::sin(rad));
  const int w = static_cast<int>(std::ceil(sprite.width * c + sprite.height * s)) + 2;
  const int h = static_cast<int>(std::ceil(sprite.width * s + sprite.height * c)) + 2;
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(0.5f * (sprite.width - 1), 0.5f * (sprite.height - 1)),
                                      degrees, 1.0);
  m.at<double>(0, 2) += 0.5 * (w - sprite.width);
  m.at<double>(1, 2) += 0.5 * (h - sprite.height);
  cv::Mat out;
  cv::warpAffine(as_mat(sprite), out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0, 0, 0, 0));
  return from_mat(out);
}

}  // namespace glimpse::vision
