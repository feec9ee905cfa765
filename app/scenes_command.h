// `glimpse scenes`: writes an emoji-scene dataset folder (images + captions.json), and
// `glimpse scenes check PATH`: loads any supported dataset and reports its bad records.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_scenes_command(CLI::App& app);

}  // namespace glimpse::app
