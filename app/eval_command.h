// `glimpse eval --model FILE --data DIR`: a model's caption metrics, object mentions,
// hallucination rates, pointing game and image/context shares on a dataset
// (docs/evaluation.md), as an aligned table or JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace glimpse::app {

void add_eval_command(CLI::App& app);

}  // namespace glimpse::app
