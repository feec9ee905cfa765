// Attention maps turned into textures: the API's heat_map through a colour table. Built once
// per caption and map setting (WordMaps, LayerHeadMaps), so that switching words or hovering
// chips only draws.
#pragma once

#include <memory>
#include <vector>

#include "gui_state.h"
#include "map_painter.h"
#include "textures.h"

namespace glimpse::gui {

struct AttentionMap {
  std::vector<float> weights;  // per patch; empty: the step has no record
  Texture texture;
  float scale_top = 0.0f;      // the weight drawn as the top of the colour scale
  int argmax = -1;

  bool empty() const { return weights.empty(); }
};

const StepAttention& step_of(const Word& word, StepKind step);
// The word's patch weights for the settings' layer and head (-1/-2 as in image_map); a layer or
// head the model lacks falls back to the mean.
std::vector<float> word_weights(const Word& word, const MapSettings& settings);

// Painted pixels -> a texture (UI thread: OpenGL).
AttentionMap upload_map(MapPixels pixels);
AttentionMap draw_map(const PatchGrid& grid, std::vector<float> weights, const MapSettings& settings,
                      int max_side);
// a - b on the diverging scale; scale_top is the largest |a - b|.
AttentionMap draw_difference(const PatchGrid& grid, const std::vector<float>& a,
                             const std::vector<float>& b, int max_side);

// Every word of one hypothesis under one MapSettings, painted by a MapPainter off the UI
// thread. Until new maps arrive the old ones stay for a settings change (the same words) and
// none are shown for a new caption (other words).
class WordMaps {
 public:
  // Asks for new maps when the caption or the settings changed, and uploads them when they are
  // painted; returns whether the maps drawn changed this frame.
  bool update(const std::shared_ptr<const CaptionResult>& result, int hypothesis,
              const MapSettings& settings, int max_side);
  const AttentionMap* at(int word) const;
  int size() const { return static_cast<int>(maps_.size()); }
  float build_ms() const { return build_ms_; }  // painting (painter thread) + upload
  bool pending() const { return pending_; }     // newer maps are being painted

 private:
  std::shared_ptr<const CaptionResult> result_;
  int hypothesis_ = -1, max_side_ = 0;
  MapSettings settings_;
  std::vector<AttentionMap> maps_;
  float build_ms_ = 0;
  uint64_t requests_ = 0;
  bool pending_ = false;
  MapPainter painter_;
};

// One word's maps for every layer (and the mean) x every head (and mean, max): small multiples.
class LayerHeadMaps {
 public:
  bool update(const std::shared_ptr<const CaptionResult>& result, int hypothesis, int word,
              const MapSettings& settings, int max_side);
  int layers() const { return layers_; }  // rows: 0..layers-1, then the mean
  int heads() const { return heads_; }    // columns: 0..heads-1, then mean, then max
  const AttentionMap* at(int row, int column) const;

 private:
  std::shared_ptr<const CaptionResult> result_;
  int hypothesis_ = -1, word_ = -1, max_side_ = 0;
  MapSettings settings_;
  int layers_ = 0, heads_ = 0;
  std::vector<AttentionMap> maps_;  // (layers + 1) x (heads + 2)
};

}  // namespace glimpse::gui

namespace glimpse::gui {
// Reverse direction: per word, the attention mass its map puts on `patches`.
std::vector<float> mass_on_patches(const WordMaps& maps, const std::vector<int>& patches);
}  // namespace glimpse::gui

namespace glimpse::gui {
// Per word, A's map minus B's (B read A's caption, so word i is the same word in both).
class DifferenceMaps {
 public:
  bool update(const std::shared_ptr<const CaptionResult>& a, int hypothesis_a,
              const std::shared_ptr<const CaptionResult>& b, const MapSettings& settings,
              int max_side);
  const AttentionMap* at(int word) const;

 private:
  std::shared_ptr<const CaptionResult> a_, b_;
  int hypothesis_a_ = -1, max_side_ = 0;
  MapSettings settings_;
  std::vector<AttentionMap> maps_;
};
}  // namespace glimpse::gui
