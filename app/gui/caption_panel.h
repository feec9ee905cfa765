// The caption as word chips (click or arrow keys select, hover previews; the tooltip has the
// log-probability and the step's top alternatives; a bar under each chip is its attention
// entropy), and the beam's hypotheses.
#pragma once

#include <vector>

#include <imgui.h>

#include "gui_state.h"

namespace glimpse::gui {

// reverse_mass: per word, its attention on the selected patches (shades the chips); may be null.
// Returns true when the selection changed.
bool caption_chips(const char* id, const Caption& caption, StepKind step,
                   const std::vector<float>* reverse_mass, int& selected, int& hovered);
// One line per hypothesis with its score; returns true when the choice changed.
bool hypothesis_list(const CaptionResult& result, int& hypothesis);
// The word's step in numbers: log-prob, entropy, image share, alternatives.
void word_details(const Word& word, StepKind step);

}  // namespace glimpse::gui
