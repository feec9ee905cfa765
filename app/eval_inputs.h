// What `glimpse eval` and `glimpse compare` share: loading the dataset, the object lexicon,
// WordNet and a model file, and evaluating one model file on the dataset.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/bootstrap.h"
#include "glimpse/eval/evaluate.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/text/wordnet.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::app {

// The options `glimpse eval` and `glimpse compare` both take: the data and how to caption it.
struct EvalDataArgs {
  std::string data, catalogue;
  std::vector<std::string> splits;
  eval::EvalOptions options;
  eval::BootstrapOptions bootstrap;  // intervals over the images; resamples 0 = none
};
void add_eval_data_options(CLI::App* cmd, EvalDataArgs& args);
// --precision fp32|bf16|auto: sets the process-wide default precision of packed inference.
void add_precision_option(CLI::App* cmd);

struct EvalInputs {
  vision::CaptionDataset data;
  std::unique_ptr<eval::ObjectLexicon> lexicon;
  std::optional<text::WordNet> wordnet;  // empty when wordnet-base is not installed
};

// `catalogue`: the object catalogue, or empty for the shipped assets/scene-objects.json.
// Bad dataset records are skipped with one warning line on stderr; an unreadable dataset, a
// dataset without images or a missing catalogue is a glimpse::Error.
EvalInputs load_eval_inputs(const std::string& data_path, const std::vector<std::string>& splits,
                            const std::string& catalogue);

// Loads the model file, evaluates it and adds the bootstrap intervals; throws glimpse::Error
// naming the file.
eval::EvalReport evaluate_model_file(const std::string& model_path, const EvalInputs& inputs,
                                     const eval::EvalOptions& options, const eval::BootstrapOptions& bootstrap);

}  // namespace glimpse::app
