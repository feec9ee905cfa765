#include "glimpse/vision/image.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/core/safetensors.h"
#include "exif_orientation.h"
#include "image_header.h"

namespace glimpse::vision {
namespace {

// The promise in image.h: no file within the pixel budget is refused for its size.
static_assert(kDefaultMaxImageFileBytes >= 3 * kDefaultMaxImagePixels,
              "an uncompressed 8-bit RGB picture at the pixel budget must fit the file budget");

std::string read_file(const std::string& path, int64_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error("image '" + path + "': is a directory, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error("image '" + path + "': cannot open: " + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error("image '" + path + "': cannot read its size");
  if (size > max_bytes)
    throw Error("image '" + path + "': file is " + std::to_string(size) + " bytes, over the " +
                std::to_string(max_bytes) + "-byte limit");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw Error("image '" + path + "': read failed");
  return bytes;
}

void check_pixel_budget(int64_t w, int64_t h, const ImageLimits& limits, const std::string& where) {
  if (w <= 0 || h <= 0)
    throw Error(where + ": invalid size " + std::to_string(w) + "x" + std::to_string(h));
  if (w > limits.max_side || h > limits.max_side || w * h > limits.max_pixels)
    throw Error(where + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels is over the limit (" +
                std::to_string(limits.max_side) + " per side, " + std::to_string(limits.max_pixels) +
                " in all)");
}

std::string undecodable(const ImageHeader& header) {
  if (header.format != ImageFormat::Unknown)
    return std::string("corrupt ") + image_format_name(header.format) + " data: OpenCV could not decode it";
  return "not a supported image: its first bytes match no image format OpenCV reads";
}

std::string unsized(const ImageHeader& header) {
  if (header.format != ImageFormat::Unknown)
    return std::string("corrupt ") + image_format_name(header.format) + " header: it gives no image size";
  return "not a supported image: its first bytes match none of PNG, JPEG, BMP, WebP, TIFF and PNM "
         "(the formats whose size is checked before decoding)";
}

// OpenCV's 8-bit channels (grey, BGR or BGRA) as RGB into `out`: grey expands, alpha composites
// on white (the model never saw transparency; white is how viewers show it).
void to_rgb(const cv::Mat& eight, Image& out, const std::string& where) {
  out.width = eight.cols;
  out.height = eight.rows;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  cv::Mat rgb(out.height, out.width, CV_8UC3, out.rgb.data());  // writes into out.rgb
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB); break;
    case 4:
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
    default: throw Error(where + ": unsupported channel count " + std::to_string(eight.channels()));
  }
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& what, const ImageLimits& limits) {
  const std::string where = "image '" + what + "'";
  if (bytes.empty()) throw Error(where + ": file is empty");
  if (static_cast<int64_t>(bytes.size()) > limits.max_file_bytes)
    throw Error(where + ": " + std::to_string(bytes.size()) + " bytes, over the " +
                std::to_string(limits.max_file_bytes) + "-byte limit");
  const ImageHeader header = read_image_header(bytes, where);
  // OpenCV allocates whatever size a header claims (up to its own 2^30 pixels) before it reads a
  // pixel, so a file whose size was not read here is not handed to it: a 100-byte PFM or
  // Radiance header could otherwise ask for gigabytes.
  if (!header.has_size()) throw Error(where + ": " + unsized(header));
  check_pixel_budget(header.width, header.height, limits, where);

  cv::Mat decoded;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    // UNCHANGED keeps alpha and 16 bits; OpenCV then skips the EXIF orientation, applied below.
    decoded = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(where + ": cannot decode: " + e.what());
  }
  if (decoded.empty()) throw Error(where + ": " + undecodable(header));
  check_pixel_budget(decoded.cols, decoded.rows, limits, where);

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
  decoded.release();
  Image img;
  to_rgb(apply_exif_orientation(eight, header.orientation), img, where);
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
