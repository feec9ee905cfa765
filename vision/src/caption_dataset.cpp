#include "glimpse/vision/caption_dataset.h"

#include <filesystem>

#include "caption_readers.h"
#include "glimpse/core/error.h"

namespace glimpse::vision {

std::string DatasetReport::summary() const {
  std::string s = std::to_string(images) + " images, " + std::to_string(captions) + " captions, " +
                  std::to_string(objects) + " object boxes, " + std::to_string(contexts) +
                  " contexts; " + std::to_string(bad) + " bad record" + (bad == 1 ? "" : "s");
  for (const auto& r : bad_records) s += "\n  " + r.file + ": " + r.reason;
  if (bad > bad_records.size())
    s += "\n  ... and " + std::to_string(bad - bad_records.size()) + " more";
  return s;
}

const char* dataset_format_name(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::Auto: return "auto";
    case DatasetFormat::Coco: return "coco";
    case DatasetFormat::Karpathy: return "karpathy";
    case DatasetFormat::Flickr: return "flickr";
  }
  return "?";
}

DatasetFormat dataset_format_from_name(const std::string& name) {
  for (const auto f : {DatasetFormat::Auto, DatasetFormat::Coco, DatasetFormat::Karpathy,
                       DatasetFormat::Flickr})
    if (name == dataset_format_name(f)) return f;
  throw Error("dataset format '" + name + "': expected auto, coco, karpathy or flickr");
}

Image CaptionDataset::load_image(size_t index, const ImageLimits& limits) const {
  check(index < images.size(), "CaptionDataset::load_image",
        "index " + std::to_string(index) + " out of range (" + std::to_string(images.size()) + " images)");
  return vision::load_image(images[index].path, limits);
}

CaptionDataset load_caption_dataset(const std::string& path, const DatasetOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    file = (fs::path(path) / "captions.json").string();
    if (!fs::is_regular_file(file, ec))
      throw Error("dataset '" + path + "': a dataset folder must hold captions.json");
  } else if (!fs::is_regular_file(path, ec)) {
    throw Error("dataset '" + path + "': no such file or folder");
  }
  DatasetFormat format = options.format;
  if (format == DatasetFormat::Auto && fs::path(file).extension() != ".json") format = DatasetFormat::Flickr;
  const std::string images_dir =
      options.images_dir.empty() ? fs::path(file).parent_path().string() : options.images_dir;

  CaptionDatasetBuilder builder(file, images_dir, options);
  if (format == DatasetFormat::Flickr) read_flickr_tokens(file, builder);
  else read_json_captions(file, format, builder);
  CaptionDataset out = builder.finish();
  // Every consumer (training, evaluation, `scenes check`) needs at least one image; saying so
  // here, with the bad records, beats an empty batch or a division by zero far away.
  if (out.images.empty())
    throw Error("dataset '" + file + "': no usable images (" + out.report.summary() + ")");
  return out;
}

}  // namespace glimpse::vision
