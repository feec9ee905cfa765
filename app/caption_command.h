// `glimpse caption IMAGE...`: captions images with a model, printing one line per image or
// JSON with every word's attention, and optionally writing attention overlays.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

// Images per batch of `glimpse caption` unless --batch says otherwise.
inline constexpr int kDefaultCaptionBatch = 16;

// Sets exit_code to 1 when any image could not be captioned (the others still are).
void add_caption_command(CLI::App& app, int& exit_code);

// The shipped default model (concat fusion), found beside the executable's install prefix or
// in the source tree; empty when there is none.
std::string default_model_path();

}  // namespace glimpse::app
