// `glimpse bench`: the engine's speed at the model's shapes, beside OpenBLAS and PyTorch 1.13
// measured in the same run.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_bench_command(CLI::App& app);

}  // namespace glimpse::app
