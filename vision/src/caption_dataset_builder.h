// Collects the records the format readers find, then joins and checks them: the one place
// that decides what a bad record is, so every format reports the same way.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "glimpse/vision/caption_dataset.h"

namespace glimpse::vision {

class CaptionDatasetBuilder {
 public:
  CaptionDatasetBuilder(const std::string& source, const std::string& images_dir,
                        const DatasetOptions& options);

  // `where` locates the record in the annotation file ("images[3]", "line 17") for reports.
  // False when the image is not kept (outside the wanted splits, or bad): add nothing to it.
  bool add_image(int64_t id, const std::string& file_name, int width, int height,
                 const std::string& split, const std::string& where);
  void add_caption(int64_t image_id, const std::string& caption, const std::string& where);
  void add_object(int64_t image_id, const ObjectBox& box, const std::string& where);
  void add_context(int64_t image_id, ContextEntry context, const std::string& where);
  void set_info(const std::string& key, const std::string& value) { info_[key] = value; }
  // The art style of image `image_id`, added just before.
  void set_art_style(int64_t image_id, const std::string& style);

  // A record the reader could not make sense of.
  void bad(const std::string& file, const std::string& reason);

  // Joins, checks the image files and the boxes, drops what is bad. Call once.
  CaptionDataset finish();

 private:
  struct Pending {
    int64_t image_id;
    std::string where;
  };
  std::string locate(const std::string& where) const { return source_ + " " + where; }
  bool keep_split(const std::string& split) const;
  // Empty when the file passes options_.check; else why not. May fill width/height.
  std::string check_image(ImageRecord& record) const;
  std::string check_box(const ObjectBox& box, const ImageRecord& record) const;

  std::string source_;
  std::string images_dir_;
  DatasetOptions options_;
  std::map<std::string, std::string> info_;
  std::vector<ImageRecord> images_;
  std::unordered_map<int64_t, size_t> index_of_;
  std::vector<std::pair<Pending, std::string>> captions_;
  std::vector<std::pair<Pending, ObjectBox>> objects_;
  std::vector<std::pair<Pending, ContextEntry>> contexts_;
  DatasetReport report_;
  // Outside the wanted splits (not an error), or refused and reported already (no file name,
  // a path outside the images folder): their captions, objects and contexts are dropped quietly.
  std::unordered_set<int64_t> skipped_ids_;
};

}  // namespace glimpse::vision
