// Turning a decoded picture upright by its EXIF orientation. Cameras store the sensor's rows
// as they come and record how the camera was held; viewers (and OpenCV's IMREAD_COLOR) rotate
// on display. decode_image needs IMREAD_UNCHANGED to keep alpha and 16 bits, and OpenCV skips
// the orientation for that flag, so it is applied here instead, the same way.
#pragma once

#include <opencv2/core.hpp>

namespace glimpse::vision {

// `stored` transformed for EXIF orientation 1..8 (1, or anything else: unchanged), exactly as
// OpenCV's ApplyExifOrientation: 2 mirror, 3 rotate 180°, 4 flip vertically, 5 transpose,
// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
cv::Mat apply_exif_orientation(const cv::Mat& stored, int orientation);

}  // namespace glimpse::vision
