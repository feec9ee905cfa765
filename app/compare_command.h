// `glimpse compare --models A,B,... --data DIR`: several models evaluated on the same images,
// one table with a column per model, then the images whose captions differ.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_compare_command(CLI::App& app);

}  // namespace glimpse::app
