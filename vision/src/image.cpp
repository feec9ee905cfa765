#include "glimpse/vision/image.h"

#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/core/safetensors.h"

namespace glimpse::vision {
namespace {

// Reads the pixel dimensions from a PNG, JPEG, GIF or BMP header without decoding, so that a
// "decompression bomb" is refused before OpenCV allocates for it. Returns false when the
// format is not one of these (OpenCV's own limit, set below, still applies then).
bool peek_dimensions(const std::string& b, int64_t& w, int64_t& h) {
  auto u8 = [&](size_t i) -> uint32_t { return static_cast<unsigned char>(b[i]); };
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
    w = (u8(16) << 24) | (u8(17) << 16) | (u8(18) << 8) | u8(19);
    h = (u8(20) << 24) | (u8(21) << 16) | (u8(22) << 8) | u8(23);
    return true;
  }
  if (b.size() >= 10 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0)) {
    w = u8(6) | (u8(7) << 8);
    h = u8(8) | (u8(9) << 8);
    return true;
  }
  if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    w = static_cast<int32_t>(u8(18) | (u8(19) << 8) | (u8(20) << 16) | (u8(21) << 24));
    int32_t hh = static_cast<int32_t>(u8(22) | (u8(23) << 8) | (u8(24) << 16) | (u8(25) << 24));
    h = hh < 0 ? -int64_t{hh} : hh;
    return true;
  }
  if (b.size() >= 4 && u8(0) == 0xFF && u8(1) == 0xD8) {
    // Walk JPEG segments to the first start-of-frame marker.
    size_t i = 2;
    while (i + 9 < b.size()) {
      if (u8(i) != 0xFF) return false;
      const uint32_t marker = u8(i + 1);
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        i += 2;
        continue;
      }
      const uint32_t len = (u8(i + 2) << 8) | u8(i + 3);
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                       marker != 0xCC;
      if (sof) {
        h = (u8(i + 5) << 8) | u8(i + 6);
        w = (u8(i + 7) << 8) | u8(i + 8);
        return true;
      }
      if (len < 2) return false;
      i += 2 + len;
    }
  }
  return false;
}

std::string read_file(const std::string& path, int64_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error("image '" + path + "': cannot open: " + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error("image '" + path + "': cannot read (is it a directory?)");
  if (size > max_bytes)
    throw Error("image '" + path + "': file is " + std::to_string(size) + " bytes, over the " +
                std::to_string(max_bytes) + "-byte limit");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw Error("image '" + path + "': read failed");
  return bytes;
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& what, const ImageLimits& limits) {
  const std::string where = "image '" + what + "'";
  if (bytes.empty()) throw Error(where + ": file is empty");
  int64_t w = 0, h = 0;
  if (peek_dimensions(bytes, w, h)) {
    if (w <= 0 || h <= 0) throw Error(where + ": header gives invalid size " + std::to_string(w) + "x" + std::to_string(h));
    if (w > limits.max_side || h > limits.max_side || w * h > limits.max_pixels)
      throw Error(where + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels is over the limit (" +
                  std::to_string(limits.max_side) + " per side, " + std::to_string(limits.max_pixels) + " in all)");
  }
  cv::Mat decoded;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1,
                      const_cast<char*>(bytes.data()));
    decoded = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(where + ": cannot decode: " + e.what());
  }
  if (decoded.empty()) throw Error(where + ": not a supported image, or corrupt or truncated");
  if (decoded.cols > limits.max_side || decoded.rows > limits.max_side ||
      int64_t{decoded.cols} * decoded.rows > limits.max_pixels)
    throw Error(where + ": " + std::to_string(decoded.cols) + "x" + std::to_string(decoded.rows) + " pixels is over the limit");

  // To 8-bit.
  cv::Mat eight;
  if (decoded.depth() == CV_8U) {
    eight = decoded;
  } else if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else if (decoded.depth() == CV_32F) {
    decoded.convertTo(eight, CV_8U, 255.0);
  } else {
    throw Error(where + ": unsupported pixel depth");
  }
  // To RGB: grey expands, alpha composites on white.
  cv::Mat rgb;
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB); break;
    case 4: {
      rgb.create(eight.rows, eight.cols, CV_8UC3);
      for (int y = 0; y < eight.rows; ++y) {
        const uint8_t* s = eight.ptr<uint8_t>(y);
        uint8_t* d = rgb.ptr<uint8_t>(y);
        for (int x = 0; x < eight.cols; ++x, s += 4, d += 3) {
          const int a = s[3];
          d[0] = static_cast<uint8_t>((s[2] * a + 255 * (255 - a) + 127) / 255);
          d[1] = static_cast<uint8_t>((s[1] * a + 255 * (255 - a) + 127) / 255);
          d[2] = static_cast<uint8_t>((s[0] * a + 255 * (255 - a) + 127) / 255);
        }
      }
      break;
    }
    default: throw Error(where + ": unsupported channel count " + std::to_string(eight.channels()));
  }
  Image img;
  img.width = rgb.cols;
  img.height = rgb.rows;
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y)
    std::memcpy(img.rgb.data() + static_cast<size_t>(y) * img.width * 3, rgb.ptr<uint8_t>(y),
                static_cast<size_t>(img.width) * 3);
  return img;
}

Image load_image(const std::string& path, const ImageLimits& limits) {
  return decode_image(read_file(path, limits.max_file_bytes), path, limits);
}

std::string encode_png(const Image& image) {
  check(!image.empty() && image.rgb.size() == static_cast<size_t>(image.width) * image.height * 3,
        "encode_png", "image " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                          " has " + std::to_string(image.rgb.size()) + " bytes");
  cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> out;
  if (!cv::imencode(".png", bgr, out)) throw Error("encode_png: OpenCV could not encode");
  return std::string(out.begin(), out.end());
}

void save_png(const std::string& path, const Image& image) {
  write_file_atomic(path, encode_png(image));
}

}  // namespace glimpse::vision
