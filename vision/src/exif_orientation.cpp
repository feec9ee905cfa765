#include "exif_orientation.h"

namespace glimpse::vision {

cv::Mat apply_exif_orientation(const cv::Mat& stored, int orientation) {
  cv::Mat upright;
  switch (orientation) {
    case 2: cv::flip(stored, upright, 1); break;
    case 3: cv::rotate(stored, upright, cv::ROTATE_180); break;
    case 4: cv::flip(stored, upright, 0); break;
    case 5: cv::transpose(stored, upright); break;
    case 6: cv::rotate(stored, upright, cv::ROTATE_90_CLOCKWISE); break;
    case 7: {
      cv::Mat transposed;
      cv::transpose(stored, transposed);
      cv::rotate(transposed, upright, cv::ROTATE_180);
      break;
    }
    case 8: cv::rotate(stored, upright, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: return stored;
  }
  return upright;
}

}  // namespace glimpse::vision
