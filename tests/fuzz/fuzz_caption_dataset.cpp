// Fuzzes the caption-dataset loaders: Glimpse's captions.json, plain COCO captions, Karpathy's
// JSON (streamed by the SAX reader) and Flickr8k token files, with the builder's joins and
// checks behind them. The loaders read paths, so each input is written to a scratch file in
// this process's own folder under /dev/shm (tmpfs: no disk I/O per run).
//
// Input: one option byte, then the annotation file's bytes. Option bits:
//   0-1  format: auto, coco, karpathy, flickr (the file is tokens.txt for flickr, else
//        captions.json)
//   2    strict (the first bad record throws)
//   3-4  image check: none, exists, header (decoding is fuzz_image's job)
//   5    pass the folder instead of the file (auto finds captions.json in it)
//   6    keep only the Karpathy split "train"
// Anything but glimpse::Error, a kept record that breaks the rules docs/dataset.md gives, or a
// report that does not add up, is a finding.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/vision/caption_dataset.h"

namespace {

namespace fs = std::filesystem;

const fs::path& scratch_dir() {
  // Never destroyed, so the exit handler below can still read it.
  static const fs::path* dir = [] {
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    auto* d = new fs::path(base / ("glimpse-fuzz-dataset-" + std::to_string(::getpid())));
    fs::create_directories(*d);
    // libFuzzer leaves through exit() at the end of a run; after a crash the folder stays,
    // with the input in it.
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(scratch_dir(), ec);
    });
    return d;
  }();
  return *dir;
}

void write_file(const fs::path& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "fuzz_caption_dataset: cannot write %s\n", path.c_str());
    std::abort();
  }
}

void fail(const char* what) {
  std::fprintf(stderr, "fuzz_caption_dataset: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t bits = data[0];
  using glimpse::vision::DatasetFormat;
  using glimpse::vision::ImageCheck;
  constexpr DatasetFormat kFormats[] = {DatasetFormat::Auto, DatasetFormat::Coco, DatasetFormat::Karpathy,
                                        DatasetFormat::Flickr};
  constexpr ImageCheck kChecks[] = {ImageCheck::None, ImageCheck::Exists, ImageCheck::Header, ImageCheck::Header};

  glimpse::vision::DatasetOptions options;
  options.format = kFormats[bits & 3];
  options.strict = (bits >> 2) & 1;
  options.check = kChecks[(bits >> 3) & 3];
  if ((bits >> 6) & 1) options.splits = {"train"};
  options.max_reported = 4;

  const fs::path& dir = scratch_dir();
  const bool flickr = options.format == DatasetFormat::Flickr;
  const fs::path file = dir / (flickr ? "tokens.txt" : "captions.json");
  write_file(file, data + 1, size - 1);
  const bool pass_folder = !flickr && ((bits >> 5) & 1);
  try {
    const glimpse::vision::CaptionDataset dataset =
        glimpse::vision::load_caption_dataset(pass_folder ? dir.string() : file.string(), options);
    const auto& report = dataset.report;
    if (report.images != dataset.images.size()) fail("report.images differs from the images kept");
    size_t captions = 0;
    for (const auto& image : dataset.images) {
      if (image.captions.empty()) fail("an image with no caption was kept");
      for (const auto& caption : image.captions)
        if (caption.empty()) fail("an empty caption was kept");
      captions += image.captions.size();
      for (const auto& box : image.objects) {
        if (!(std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.w) && std::isfinite(box.h)))
          fail("a kept object box has a coordinate that is not finite");
        if (!(box.w > 0 && box.h > 0 && box.x >= 0 && box.y >= 0) || box.name.empty())
          fail("a kept object box has no area, starts outside its image or has no name");
        if (image.width > 0 && image.height > 0 && (box.x + box.w > image.width || box.y + box.h > image.height))
          fail("a kept object box reaches outside its image");
      }
      for (const auto& context : image.contexts)
        if (context.captions.empty()) fail("a kept context has no caption");
    }
    if (report.captions != captions) fail("report.captions differs from the captions kept");
    if (report.bad_records.size() > options.max_reported || report.bad_records.size() > report.bad)
      fail("more bad records reported than counted or allowed");
    if (options.strict && report.bad != 0) fail("strict mode kept a bad record");
    (void)report.summary();
  } catch (const glimpse::Error&) {
  }
  return 0;
}
