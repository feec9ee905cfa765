// The context text and the decoding settings of the next caption. A new context re-captions
// through Model::with_context (the picture is not encoded again); see caption_pipeline.
#pragma once

#include "gui_state.h"

namespace glimpse::gui {

void decoding_panel(GuiState& state);

}  // namespace glimpse::gui
