// The shipped sample scenes as a strip of thumbnails: one click opens the scene with one of its
// contexts (assets/samples/captions.json); the combo offers the scene's other contexts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gui_state.h"
#include "textures.h"

namespace glimpse::gui {

struct SampleScene {
  std::string path;
  std::vector<std::string> contexts;
  Texture thumbnail;
};

class SampleStrip {
 public:
  // Unreadable files are skipped: the strip shows what there is.
  void load(const std::filesystem::path& dir);
  void draw(GuiState& state);
  const SampleScene* first() const { return scenes_.empty() ? nullptr : &scenes_.front(); }

 private:
  std::vector<SampleScene> scenes_;
};

// The contexts of each picture in a captions.json (COCO-style with a "context" list).
std::vector<std::pair<std::string, std::vector<std::string>>> read_sample_contexts(
    const std::filesystem::path& captions_json);

}  // namespace glimpse::gui
