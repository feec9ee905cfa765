#include "glimpse/train/curve_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace glimpse::train {

namespace {

using Series = std::vector<std::pair<double, double>>;

struct Line {
  std::string label;
  Series points;
  cv::Scalar colour;  // RGB order (the canvas is RGB)
  bool markers = false;
};

std::string tick_label(double v) {
  char buf[32];
  if (std::fabs(v) >= 1000) {
    // 1.2k, 2k: one decimal where it tells ticks apart, none where it would read "2.0k".
    const double k = std::round(v / 100) / 10;
    std::snprintf(buf, sizeof buf, k == std::round(k) ? "%.0fk" : "%.1fk", k);
  }
  else if (std::fabs(v) >= 10 || v == 0) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

// One panel with axes, grid, its lines and a legend, inside `area` of `canvas`.
void draw_panel(cv::Mat& canvas, cv::Rect area, const std::string& title,
                const std::vector<Line>& lines) {
  const cv::Scalar ink(40, 40, 40), grid(225, 225, 225);
  const int left = area.x + 56, right = area.x + area.width - 12;
  const int top = area.y + 34, bottom = area.y + area.height - 36;
  cv::putText(canvas, title, {area.x + 56, area.y + 22}, cv::FONT_HERSHEY_SIMPLEX, 0.55, ink, 1, cv::LINE_AA);
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& l : lines)
    for (const auto& [x, y] : l.points) {
      if (!std::isfinite(y)) continue;
      x0 = std::min(x0, x); x1 = std::max(x1, x);
      y0 = std::min(y0, y); y1 = std::max(y1, y);
    }
  if (x0 > x1) {
    cv::putText(canvas, "no data yet", {left + 20, (top + bottom) / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
    return;
  }
  y0 = std::min(y0, 0.0);
  if (x1 - x0 < 1) x1 = x0 + 1;
  if (y1 - y0 < 1e-6) y1 = y0 + 1;
  y1 += 0.05 * (y1 - y0);
  auto px = [&](double x) { return left + static_cast<int>((x - x0) / (x1 - x0) * (right - left)); };
  auto py = [&](double y) { return bottom - static_cast<int>((y - y0) / (y1 - y0) * (bottom - top)); };
  for (int i = 0; i <= 4; ++i) {
    const double yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
    cv::line(canvas, {left, py(yv)}, {right, py(yv)}, grid, 1);
    cv::putText(canvas, tick_label(yv), {area.x + 6, py(yv) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.38, ink, 1, cv::LINE_AA);
    cv::putText(canvas, tick_label(xv), {px(xv) - (i == 4 ? 26 : 10), bottom + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.38, ink, 1, cv::LINE_AA);
  }
  cv::rectangle(canvas, {left, top}, {right, bottom}, ink, 1);
  cv::putText(canvas, "step", {(left + right) / 2 - 14, bottom + 32}, cv::FONT_HERSHEY_SIMPLEX, 0.42, ink, 1, cv::LINE_AA);
  int legend_y = top + 16;
  for (const auto& l : lines) {
    if (l.points.empty()) continue;
    for (size_t i = 1; i < l.points.size(); ++i)
      cv::line(canvas, {px(l.points[i - 1].first), py(l.points[i - 1].second)},
               {px(l.points[i].first), py(l.points[i].second)}, l.colour, 2, cv::LINE_AA);
    if (l.markers)
      for (const auto& [x, y] : l.points) cv::circle(canvas, {px(x), py(y)}, 3, l.colour, -1, cv::LINE_AA);
    cv::line(canvas, {right - 190, legend_y - 4}, {right - 168, legend_y - 4}, l.colour, 2);
    cv::putText(canvas, l.label, {right - 162, legend_y}, cv::FONT_HERSHEY_SIMPLEX, 0.42, ink, 1, cv::LINE_AA);
    legend_y += 18;
  }
}

// Exponential moving average, so a noisy per-interval loss reads as a curve.
Series smooth(const Series& s, double keep) {
  Series out;
  double m = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    m = i == 0 ? s[i].second : keep * m + (1 - keep) * s[i].second;
    out.emplace_back(s[i].first, m);
  }
  return out;
}

}  // namespace

vision::Image plot_training_curves(const TrainingLog& log, const std::string& title) {
  const int W = 1100, H = 400;
  cv::Mat canvas(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(canvas, title, {16, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  const cv::Scalar blue(31, 119, 180), orange(255, 127, 14), green(44, 160, 44), red(214, 39, 40);
  // Training loss carries label smoothing and dropout; validation loss has neither, so it
  // sits below. The patch-object loss (--object-loss) and the attention loss (--attention-loss)
  // are drawn when the run has them.
  draw_panel(canvas, {0, 24, W / 2, H - 24}, "loss",
             {{"train (EMA)", smooth(log.series("train", "loss"), 0.9), blue, false},
              {"validation", log.series("val", "val_loss"), orange, true},
              {"patch objects (EMA)", smooth(log.series("train", "object_loss"), 0.9), green, false},
              {"attention (EMA)", smooth(log.series("train", "attention_loss"), 0.9), red, false}});
  draw_panel(canvas, {W / 2, 24, W / 2, H - 24}, "validation",
             {{"CIDEr-D", log.series("val", "cider_d"), green, true},
              {"pointing", log.series("val", "pointing"), red, true},
              {"object F1", log.series("val", "object_f1"), blue, true}});
  vision::Image image;
  image.width = W;
  image.height = H;
  image.rgb.assign(canvas.data, canvas.data + static_cast<size_t>(W) * H * 3);
  return image;
}

void save_training_curves(const std::string& path, const TrainingLog& log, const std::string& title) {
  vision::save_png(path, plot_training_curves(log, title));
}

}  // namespace glimpse::train
