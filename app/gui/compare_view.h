// Two models on the same picture and context, side by side, the selected word synchronised by
// index; or, forcing A's caption through B (Model::score), A's map, B's map of the same word
// and their difference A - B on a diverging scale.
#pragma once

#include <imgui.h>

#include "gui_state.h"
#include "view_caches.h"

namespace glimpse::gui {

void compare_view(GuiState& state, const ViewCaches& caches, ImVec2 size);

}  // namespace glimpse::gui
