// The colour scale bar beside a map: the colour table with tick labels in weight units.
#pragma once

#include <imgui.h>

#include "glimpse/glimpse.h"

namespace glimpse::gui {

// A vertical bar at the cursor; `top` is the weight of the top colour. signed_scale: the
// diverging red/blue scale of a difference map, from -top to +top.
void color_scale_bar(ColorMap map, float top, bool signed_scale, ImVec2 size);
ImU32 color_of(ColorMap map, float value);  // value in [0, 1]

}  // namespace glimpse::gui
