// Which map is shown (layer, head, step, colours, normalisation, overlay look), and the two
// many-map views: small multiples (layers x heads of one word) and the caption sheet (every
// word's map at once).
#pragma once

#include "attention_maps.h"
#include "gui_state.h"
#include "textures.h"

namespace glimpse::gui {

// Returns true when a setting that changes the maps changed. layers/heads: the model's.
bool map_settings_panel(MapSettings& map, OverlayLook& look, int layers, int heads);

// Click a tile: its layer and head become the overlay's.
void layer_head_grid(const LayerHeadMaps& maps, const Texture* picture, const OverlayLook& look,
                     MapSettings& map, ImVec2 size);
// The plain picture, then one tile per word; click a tile to select the word.
void caption_sheet(const Caption& caption, const WordMaps& maps, const Texture* picture,
                   const OverlayLook& look, int& selected, ImVec2 size);

}  // namespace glimpse::gui
