// `glimpse train`: trains a captioning model on caption datasets (train/trainer.h).
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_train_command(CLI::App& app, int& exit_code);

}  // namespace glimpse::app
