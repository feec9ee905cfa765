#include "glimpse/vision/preprocess.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {

const char* resize_mode_name(ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Letterbox: return "letterbox";
    case ResizeMode::Stretch: return "stretch";
    case ResizeMode::CenterCrop: return "center_crop";
  }
  return "?";
}

ResizeMode resize_mode_from_name(const std::string& name) {
  if (name == "letterbox") return ResizeMode::Letterbox;
  if (name == "stretch") return ResizeMode::Stretch;
  if (name == "center_crop") return ResizeMode::CenterCrop;
  throw Error("preprocess: unknown resize mode '" + name +
              "' (expected letterbox, stretch or center_crop)");
}

void validate(const PreprocessConfig& c) {
  check(c.image_size >= 2 && c.image_size <= 4096, "PreprocessConfig",
        "image_size must be in [2, 4096], got " + std::to_string(c.image_size));
  check(c.patch_size >= 1 && c.image_size % c.patch_size == 0, "PreprocessConfig",
        "patch_size " + std::to_string(c.patch_size) + " must divide image_size " +
            std::to_string(c.image_size));
  for (int i = 0; i < 3; ++i)
    check(std::isfinite(c.mean[i]) && std::isfinite(c.std[i]) && c.std[i] > 0.0f,
          "PreprocessConfig", "mean must be finite and std positive");
}

PreparedImage prepare_image(const Image& image, const PreprocessConfig& c) {
  validate(c);
  check(!image.empty() && image.rgb.size() == static_cast<size_t>(image.width) * image.height * 3,
        "prepare_image", "image is empty or its buffer does not match its size");
  const int S = c.image_size, P = c.patch_size, G = c.grid_side();
  const float W = static_cast<float>(image.width), H = static_cast<float>(image.height);

  PatchGrid grid;
  grid.rows = grid.cols = G;
  grid.image_width = image.width;
  grid.image_height = image.height;
  // Geometry: model pixel u shows original pixel (u - offset) / scale.
  int new_w = S, new_h = S;
  switch (c.mode) {
    case ResizeMode::Stretch:
      grid.scale_x = S / W;
      grid.scale_y = S / H;
      break;
    case ResizeMode::Letterbox: {
      const float s = S / std::max(W, H);
      grid.scale_x = grid.scale_y = s;
      new_w = std::max(1, static_cast<int>(std::lround(W * s)));
      new_h = std::max(1, static_cast<int>(std::lround(H * s)));
      // Whole pixels: the picture is pasted at an integer offset.
      const int pad_x = (S - new_w) / 2, pad_y = (S - new_h) / 2;
      grid.offset_x = static_cast<float>(pad_x);
      grid.offset_y = static_cast<float>(pad_y);
      break;
    }
    case ResizeMode::CenterCrop: {
      const float s = S / std::min(W, H);
      grid.scale_x = grid.scale_y = s;
      new_w = std::max(S, static_cast<int>(std::lround(W * s)));
      new_h = std::max(S, static_cast<int>(std::lround(H * s)));
      // Whole pixels: the crop starts at an integer offset.
      const int crop_x = (new_w - S) / 2, crop_y = (new_h - S) / 2;
      grid.offset_x = -static_cast<float>(crop_x);
      grid.offset_y = -static_cast<float>(crop_y);
      break;
    }
  }

  // Resize (area averaging when shrinking, bilinear when growing).
  const cv::Mat src(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  cv::Mat resized;
  const bool shrinking = new_w < image.width || new_h < image.height;
  cv::resize(src, resized, cv::Size(new_w, new_h), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);

  // Canvas S×S in normalised float, padding = mean colour (normalises to 0).
  std::vector<float> canvas(static_cast<size_t>(S) * S * 3, 0.0f);
  const int ox = static_cast<int>(grid.offset_x), oy = static_cast<int>(grid.offset_y);
  for (int y = 0; y < S; ++y) {
    const int sy = y - oy;
    if (sy < 0 || sy >= resized.rows) continue;
    const uint8_t* row = resized.ptr<uint8_t>(sy);
    for (int x = 0; x < S; ++x) {
      const int sx = x - ox;
      if (sx < 0 || sx >= resized.cols) continue;
      for (int ch = 0; ch < 3; ++ch)
        canvas[(static_cast<size_t>(y) * S + x) * 3 + ch] =
            (row[sx * 3 + ch] / 255.0f - c.mean[ch]) / c.std[ch];
    }
  }

  PreparedImage out;
  out.patches.resize({int64_t{G} * G, int64_t{c.patch_dim()}});
  for (int pr = 0; pr < G; ++pr)
    for (int pc = 0; pc < G; ++pc) {
      float* dst = out.patches.data() + (static_cast<int64_t>(pr) * G + pc) * c.patch_dim();
      for (int ch = 0; ch < 3; ++ch)
        for (int y = 0; y < P; ++y)
          for (int x = 0; x < P; ++x)
            *dst++ = canvas[(static_cast<size_t>(pr * P + y) * S + (pc * P + x)) * 3 + ch];
    }

  grid.boxes.resize(static_cast<size_t>(G) * G);
  for (int pr = 0; pr < G; ++pr)
    for (int pc = 0; pc < G; ++pc) {
      PixelBox b;
      b.x0 = std::clamp((pc * P - grid.offset_x) / grid.scale_x, 0.0f, W);
      b.x1 = std::clamp(((pc + 1) * P - grid.offset_x) / grid.scale_x, 0.0f, W);
      b.y0 = std::clamp((pr * P - grid.offset_y) / grid.scale_y, 0.0f, H);
      b.y1 = std::clamp(((pr + 1) * P - grid.offset_y) / grid.scale_y, 0.0f, H);
      grid.boxes[static_cast<size_t>(pr) * G + pc] = b;
    }
  out.grid = std::move(grid);
  return out;
}

}  // namespace glimpse::vision
