// A three-image captioned dataset with object boxes and context entries, written to disk, for
// the evaluation tests (test_eval.cpp, test_cli.cpp). Its object names are the shipped
// catalogue's (assets/scene-objects.json).
#pragma once

#include <filesystem>
#include <string>

#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/image.h"

namespace glimpse::testing {

inline std::string shipped_catalogue_path() {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "assets" / "scene-objects.json").string();
}

// Writes DIR/captions.json and DIR/00{0,1,2}.png; returns DIR.
//   000.png 32x32: dog, red apple; contexts: distractors "space, bar", keywords "pet"
//   001.png 40x30: cat;            contexts: mixed "pet, space"
//   002.png 24x24: two bicycles;   contexts: instruction "how many"
inline std::string write_eval_dataset(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  vision::CaptionDataset ds;
  ds.info = {{"description", "evaluation test"}};
  auto add = [&](int id, int w, int h, std::vector<std::string> captions, std::vector<vision::ObjectBox> objects,
                 std::vector<vision::ContextEntry> contexts) {
    vision::ImageRecord r;
    r.id = id;
    r.file_name = "00" + std::to_string(id) + ".png";
    r.width = w;
    r.height = h;
    r.captions = std::move(captions);
    r.objects = std::move(objects);
    r.contexts = std::move(contexts);
    vision::Image img;
    img.width = w;
    img.height = h;
    img.rgb.resize(static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = static_cast<uint8_t>((i * (5 + id)) % 253);
    vision::save_png((dir / r.file_name).string(), img);
    ds.images.push_back(std::move(r));
  };
  add(0, 32, 32, {"a dog and a red apple", "a red apple and a dog on the left"},
      {{"dog", 0, 0, 12, 12}, {"red apple", 18, 18, 10, 10}},
      {{"distractors", "plain", "space, bar", {"a dog and a red apple"}},
       {"keywords", "plain", "pet", {"a dog and a red apple"}}});
  add(1, 40, 30, {"a cat", "a small cat in the middle"}, {{"cat", 5, 5, 10, 10}},
      {{"mixed", "plain", "pet, space", {"a cat"}}});
  add(2, 24, 24, {"two bikes", "two bicycles side by side"},
      {{"bicycle", 0, 0, 10, 10}, {"bicycle", 12, 12, 10, 10}},
      {{"instruction", "count", "how many", {"two bicycles"}}});
  vision::write_coco_captions((dir / "captions.json").string(), ds);
  return dir.string();
}

// Every word of the dataset's captions and contexts, so a tiny model can say them.
inline text::Vocabulary eval_vocabulary(const vision::CaptionDataset& data) {
  text::VocabularyBuilder b;
  for (const auto& r : data.images) {
    for (const auto& c : r.captions) b.add_text(c);
    for (const auto& c : r.contexts) b.add_text(c.text);
  }
  b.add_text("rocket");
  return b.build(1);
}

}  // namespace glimpse::testing
