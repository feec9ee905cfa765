// `glimpse curves RUN.metrics.jsonl --out RUN.curves.png`: draws a training run's curves from
// its metrics log, the same picture `glimpse train` writes beside the model (curve_plot.h), so
// a finished run can be re-drawn (or a run's log compared at another point) without training.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_curves_command(CLI::App& app, int& exit_code);

}  // namespace glimpse::app
