// The UI's side of captioning: submits a job for every slot whose wanted caption (the inputs,
// and for the forced slot A's caption) differs from what it last asked for, and takes finished
// jobs into the state. A failure keeps the previous result and puts the last good picture or
// model back into the inputs, so nothing is asked again until the user changes something.
#pragma once

#include "caption_jobs.h"
#include "gui_state.h"

namespace glimpse::gui {

void submit_changed(GuiState& state, CaptionJobs& jobs);
// Returns true when a caption arrived (the persistent settings may have changed).
bool apply_finished(GuiState& state, CaptionJobs& jobs);
// True while any slot is still working, or its inputs changed and its job is about to start.
bool waiting_for_captions(const GuiState& state);

}  // namespace glimpse::gui
