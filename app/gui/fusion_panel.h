// How image and context meet: the context tokens' attention for the shown word, each word's
// image-vs-context share per layer, the gated model's gates, and what "share" means for the
// model's fusion.
#pragma once

#include <imgui.h>

#include "gui_state.h"

namespace glimpse::gui {

// The context bars follow the map's layer and head pickers; the shares are per layer already.
void fusion_panel(const CaptionResult& result, const Caption& caption, int word,
                  const MapSettings& map, ImVec2 size);
// One bar per word: its image share (the rest is context); the selected word is outlined.
void share_strip(const char* id, const Caption& caption, StepKind step, int selected, ImVec2 size);
// What image_share measures for this fusion, in one sentence.
const char* share_meaning(FusionStrategy fusion);

}  // namespace glimpse::gui
