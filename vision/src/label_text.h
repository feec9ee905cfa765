// Text labels drawn with OpenCV's Hershey font (internal to glimpse_vision: OpenCV types stay
// out of the public headers). Hershey covers printable ASCII only; other characters are shown
// as '?' rather than as garbage.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "glimpse/vision/color_map.h"

namespace glimpse::vision::label_text {

// Printable ASCII copy of UTF-8 `text`: each multi-byte character becomes one '?', control
// characters become spaces.
std::string printable(const std::string& text);

// Lines of `text` (printable) word-wrapped to `width` pixels at `line_height`; at most
// `max_lines`, the last one ending in "..." when text was left out. A word wider than the
// line is cut.
std::vector<std::string> wrap(const std::string& text, int width, int line_height, int max_lines);

// Draws one line of text, vertically centred in a `line_height` band whose top-left is
// `origin`, starting `origin.x` from the left; `centred` centres it within `width` instead.
void draw_line(cv::Mat& rgb, const std::string& line, cv::Point origin, int width, int line_height,
               const Rgb& colour, bool centred);

}  // namespace glimpse::vision::label_text
