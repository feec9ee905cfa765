#include "glimpse/vision/scene_dataset.h"

#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "glimpse/core/error.h"
#include "glimpse/vision/contact_sheet.h"

namespace glimpse::vision {
namespace {

constexpr int kContactSheetScenes = 16;

std::string encode_jpeg(const Image& image, int quality) {
  cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> out;
  if (!cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, quality}))
    throw Error("encode_jpeg: OpenCV could not encode");
  return std::string(out.begin(), out.end());
}

std::string file_name(uint64_t index, const std::string& format) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu.", static_cast<unsigned long long>(index));
  return buf + format;
}

// OpenMP already runs one scene per thread: OpenCV's own pool inside each would only
// oversubscribe the cores. Restores OpenCV's setting on the way out.
class SerialOpenCv {
 public:
  SerialOpenCv() : saved_(cv::getNumThreads()) { cv::setNumThreads(0); }
  ~SerialOpenCv() { cv::setNumThreads(saved_); }
  SerialOpenCv(const SerialOpenCv&) = delete;
  SerialOpenCv& operator=(const SerialOpenCv&) = delete;

 private:
  int saved_;
};

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
// reader never sees a partial image. Unlike glimpse::write_file_atomic it does not fsync each
// file (about 5 ms apiece here: 100k scenes would spend minutes waiting for the disk);
// write_scene_dataset syncs the whole file system once instead, before it writes
// captions.json, so a dataset whose captions.json exists has all its images on disk.
void write_image_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot create '" + tmp + "': " + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw Error("cannot write '" + tmp + "': " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path + "': " + why);
  }
}

// Flushes every file written under `dir` to disk (one syncfs for the whole dataset).
void sync_folder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw Error("cannot open folder '" + dir + "': " + std::strerror(errno));
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw Error("cannot sync folder '" + dir + "': " + std::strerror(err));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

ImageRecord scene_record(const GeneratedScene& scene, const SceneCatalogue& catalogue,
                         const std::string& image_format) {
  ImageRecord r;
  r.id = static_cast<int64_t>(scene.index);
  r.file_name = file_name(scene.index, image_format);
  r.width = r.height = scene.layout.canvas;
  r.art_style = art_style_name(scene.style);
  r.captions = scene.captions;
  for (size_t i = 0; i < scene.layout.objects.size() && i < scene.rendered.boxes.size(); ++i) {
    const BoxXYWH& b = scene.rendered.boxes[i];
    ObjectBox o;
    o.name = catalogue.objects[static_cast<size_t>(scene.layout.objects[i].object)].name;
    o.x = static_cast<float>(b.x);
    o.y = static_cast<float>(b.y);
    o.w = static_cast<float>(b.w);
    o.h = static_cast<float>(b.h);
    r.objects.push_back(std::move(o));
  }
  for (const auto& c : scene.contexts)
    r.contexts.push_back({context_kind_name(c.kind), instruction_name(c.instruction), c.text, c.captions});
  return r;
}

SceneDatasetStats write_scene_dataset(const SceneCatalogue& catalogue, const SceneDatasetOptions& o) {
  check(o.image_format == "png" || o.image_format == "jpg", "scenes",
        "image format '" + o.image_format + "': expected png or jpg");
  check(o.jpeg_quality >= 1 && o.jpeg_quality <= 100, "scenes", "JPEG quality must be in [1, 100]");
  check(o.count >= 1 && o.count <= 100'000'000, "scenes", "count must be in [1, 100000000]");
  check(!o.write || !o.out_dir.empty(), "scenes", "no output folder given");
  check(!o.styles.empty(), "scenes", "no art style given");
  namespace fs = std::filesystem;
  if (o.write) {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec || !fs::is_directory(o.out_dir))
      throw Error("scenes: cannot create output folder '" + o.out_dir + "': " + ec.message());
  }

  SceneDatasetStats stats;
  const auto t_atlas = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<ArtSource>> sources;
  std::vector<const ArtSource*> source_list;
  for (const ArtStyle style : o.styles) {
    sources.push_back(make_art_source(style, o.paths));
    source_list.push_back(sources.back().get());
  }
  const ArtCoverage coverage = art_coverage(catalogue, source_list);
  const SceneCatalogue& drawn = coverage.catalogue;
  std::vector<std::unique_ptr<EmojiAtlas>> atlases;
  std::vector<const EmojiAtlas*> atlas_list;
  for (const auto& source : sources) {
    atlases.push_back(std::make_unique<EmojiAtlas>(drawn, *source));
    atlas_list.push_back(atlases.back().get());
  }
  stats.atlas_seconds = seconds_since(t_atlas);
  stats.catalogue_objects = drawn.size();
  stats.left_out = coverage.left_out;
  const SceneGenerator generator(drawn, atlas_list, o.generator);

  CaptionDataset dataset;
  dataset.images.resize(static_cast<size_t>(o.count));
  std::vector<GeneratedScene> sheet_scenes(std::min<uint64_t>(o.count, kContactSheetScenes));
  std::string first_error;
  const SerialOpenCv serial_opencv;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(o.count);
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < n; ++i) {
    try {
      GeneratedScene scene = generator.generate(static_cast<uint64_t>(i));
      const std::string bytes = o.image_format == "png" ? encode_png(scene.rendered.image)
                                                        : encode_jpeg(scene.rendered.image, o.jpeg_quality);
      ImageRecord record = scene_record(scene, drawn, o.image_format);
      if (o.write) write_image_file((fs::path(o.out_dir) / record.file_name).string(), bytes);
      dataset.images[static_cast<size_t>(i)] = std::move(record);
      if (i < static_cast<int64_t>(sheet_scenes.size())) sheet_scenes[static_cast<size_t>(i)] = std::move(scene);
    } catch (const std::exception& e) {
#pragma omp critical(glimpse_scene_error)
      if (first_error.empty()) first_error = "scene " + std::to_string(i) + ": " + e.what();
    }
  }
  if (!first_error.empty()) throw Error("scenes: " + first_error);

  dataset.info = {
      {"description", "Glimpse emoji scenes (docs/dataset.md)"},
      {"generator", "glimpse scenes"},
      {"split", split_name(o.generator.split)},
      {"seed", std::to_string(o.generator.seed)},
      {"count", std::to_string(o.count)},
      {"size", std::to_string(o.generator.layout.canvas)},
      {"art_style", art_styles_name(o.styles)},
      {"catalogue", catalogue.source},
      {"catalogue_objects", std::to_string(drawn.size()) + " of " + std::to_string(catalogue.size())},
      {"contexts_per_image", std::to_string(o.generator.contexts_per_image)},
  };
  if (!coverage.left_out.empty()) {
    std::string names;
    for (const auto& name : coverage.left_out) {
      if (!names.empty()) names += ", ";
      names += name;
    }
    dataset.info["objects_without_artwork"] = names;
  }
  stats.scenes_per_style.assign(o.styles.size(), 0);
  for (const auto& r : dataset.images)
    for (size_t k = 0; k < o.styles.size(); ++k)
      if (r.art_style == art_style_name(o.styles[k])) ++stats.scenes_per_style[k];
  if (o.styles.size() > 1) {
    std::string counts;
    for (size_t k = 0; k < o.styles.size(); ++k)
      counts += (counts.empty() ? "" : ", ") + std::string(art_style_name(o.styles[k])) + " " +
                std::to_string(stats.scenes_per_style[k]);
    dataset.info["scenes_per_style"] = counts;
  }
  if (o.write) {
    sync_folder(o.out_dir);
    write_coco_captions((fs::path(o.out_dir) / "captions.json").string(), dataset);
  }
  stats.scene_seconds = seconds_since(t0);
  stats.scenes = o.count;
  stats.threads = omp_get_max_threads();
  stats.scenes_per_second = static_cast<double>(o.count) / std::max(stats.scene_seconds, 1e-9);

  if (!o.contact_sheet.empty()) {
    std::vector<ContactTile> tiles;
    for (const auto& s : sheet_scenes) {
      ContactTile t;
      t.image = s.rendered.image;
      t.boxes = s.rendered.boxes;
      for (const auto& p : s.layout.objects) t.labels.push_back(drawn.objects[static_cast<size_t>(p.object)].name);
      t.caption = s.captions.empty() ? std::string() : s.captions.front();
      tiles.push_back(std::move(t));
    }
    save_png(o.contact_sheet, make_contact_sheet(tiles, 4, 256));
  }
  return stats;
}

}  // namespace glimpse::vision
