// The textures drawn from GuiState: derived, rebuilt by update() when the state they come from
// changed, never edited by widgets.
#pragma once

#include <array>
#include <memory>

#include "attention_maps.h"
#include "gui_state.h"
#include "textures.h"

namespace glimpse::gui {

// A picture's texture, uploaded once per picture.
class PictureTexture {
 public:
  void update(const std::shared_ptr<const Image>& image) {
    if (image == image_) return;
    image_ = image;
    texture_ = image ? Texture::from_rgb(*image) : Texture{};
  }
  const Texture* get() const { return texture_.valid() ? &texture_ : nullptr; }

 private:
  std::shared_ptr<const Image> image_;
  Texture texture_;
};

struct ViewCaches {
  static constexpr int kMapSide = 512;    // overlay textures: longer side, enough for a panel
  static constexpr int kTileSide = 160;   // small multiples

  std::array<PictureTexture, kSlotCount> pictures;
  std::array<WordMaps, kSlotCount> words;
  LayerHeadMaps layer_heads;
  DifferenceMaps differences;

  // Word maps still being painted (the app keeps drawing frames until they arrive).
  bool painting() const {
    for (const WordMaps& w : words)
      if (w.pending()) return true;
    return false;
  }

  // Returns the milliseconds spent building the word maps that arrived (0 when none did).
  float update(const GuiState& state) {
    float rebuilt_ms = 0;
    for (int i = 0; i < kSlotCount; ++i) {
      const CaptionSlot& slot = state.slots[static_cast<size_t>(i)];
      pictures[static_cast<size_t>(i)].update(slot.image);
      if (words[static_cast<size_t>(i)].update(slot.result, slot.hypothesis, state.map, kMapSide))
        rebuilt_ms += words[static_cast<size_t>(i)].build_ms();
    }
    const CaptionSlot& a = state.slot(Slot::A);
    if (state.view == View::Grid)
      layer_heads.update(a.result, a.hypothesis, shown_word(state), state.map, kTileSide);
    if (state.view == View::Compare && state.force_a_through_b)
      differences.update(a.result, a.hypothesis, state.slot(Slot::Forced).result, state.map, kMapSide);
    return rebuilt_ms;
  }
};

}  // namespace glimpse::gui
