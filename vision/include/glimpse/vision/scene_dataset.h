// Writes a generated-scene dataset folder: one image per scene and captions.json in Glimpse's
// COCO-based format (docs/dataset.md). Scenes are made in parallel (OpenMP); the folder's
// content does not depend on the thread count. Every file is written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/emoji_atlas.h"
#include "glimpse/vision/scene_generator.h"

namespace glimpse::vision {

struct SceneDatasetOptions {
  SceneGeneratorOptions generator;
  // Each scene is drawn in one of these (deterministically, from the seed), and its record
  // says which. The scenes draw from the objects art_coverage finds for the list.
  std::vector<ArtStyle> styles = {ArtStyle::Noto};
  ArtPaths paths;
  uint64_t count = 1000;
  std::string out_dir;
  std::string image_format = "png";  // "png" | "jpg"
  int jpeg_quality = 95;             // for image_format "jpg"
  bool write = true;                 // false: generate and encode only (to measure speed)
  std::string contact_sheet;         // if set, a sheet of the first 16 scenes is written here
};

struct SceneDatasetStats {
  uint64_t scenes = 0;
  int threads = 0;
  int catalogue_objects = 0;              // objects the scenes draw from
  std::vector<std::string> left_out;      // catalogue objects left out (art_coverage)
  std::vector<uint64_t> scenes_per_style;  // parallel to SceneDatasetOptions::styles
  double atlas_seconds = 0;  // loading the artwork
  double scene_seconds = 0;  // generating, encoding and writing the scenes
  double scenes_per_second = 0;
};

// The dataset record of one generated scene (file name "<index, 6 digits>.<format>").
ImageRecord scene_record(const GeneratedScene& scene, const SceneCatalogue& catalogue,
                         const std::string& image_format);

// Throws glimpse::Error for bad options, missing artwork or an unwritable folder.
SceneDatasetStats write_scene_dataset(const SceneCatalogue& catalogue, const SceneDatasetOptions& options);

}  // namespace glimpse::vision
