#include "eval_inputs.h"

#include <iostream>

#include "glimpse/core/error.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/scene_catalogue.h"
#include "paths.h"

namespace glimpse::app {

void add_precision_option(CLI::App* cmd) {
  cmd->add_option_function<std::string>(
         "--precision",
         [](const std::string& v) { set_default_precision_request(parse_precision_request(v)); },
         "inference matmuls: fp32 (default), bf16 (needs AVX512-BF16/AMX) or auto; "
         "default from $GLIMPSE_PRECISION")
      ->check(CLI::IsMember({"fp32", "bf16", "auto"}));
}

void add_eval_data_options(CLI::App* cmd, EvalDataArgs& a) {
  cmd->add_option("--data", a.data, "dataset folder (captions.json) or annotation file")->required();
  cmd->add_option("--split", a.splits, "keep only these Karpathy splits (repeatable)");
  cmd->add_option("--limit", a.options.max_images, "evaluate the first N images (0 = all)");
  cmd->add_option("--beam", a.options.beam, "beam width (1 = greedy)")->check(CLI::Range(1, 64));
  cmd->add_option("--max-len", a.options.max_len, "most words per caption (0 = model limit)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--batch", a.options.batch, "images decoded together")->check(CLI::Range(1, 4096));
  cmd->add_flag("--no-repeat-objects", a.options.mention_rules.no_repeats,
                "never name an object twice in a caption (a decoding rule read with the catalogue)");
  cmd->add_option("--min-object-presence", a.options.mention_rules.min_presence,
                  "never name an object the model's object head gives less than this anywhere in the image "
                  "(0 = off; needs an object head)")
      ->check(CLI::Range(0.0f, 1.0f));
  std::map<std::string, eval::ContextSelection> selections;
  for (const auto s : {eval::ContextSelection::All, eval::ContextSelection::Distractors, eval::ContextSelection::None})
    selections[eval::context_selection_name(s)] = s;
  cmd->add_option("--contexts", a.options.contexts,
                  "context entries each image is also captioned with: all, distractors (with mixed) or none")
      ->transform(CLI::CheckedTransformer(selections))
      ->default_str(eval::context_selection_name(a.options.contexts));
  cmd->add_option("--bootstrap", a.bootstrap.resamples,
                  "resamples of the images for the 95 % intervals (0 = no intervals)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  add_precision_option(cmd);
  cmd->add_option("--catalogue", a.catalogue, "object catalogue (default: the shipped assets/scene-objects.json)");
}

EvalInputs load_eval_inputs(const std::string& data_path, const std::vector<std::string>& splits,
                            const std::string& catalogue) {
  EvalInputs in;
  vision::DatasetOptions o;
  o.splits = splits;
  in.data = vision::load_caption_dataset(data_path, o);
  if (in.data.images.empty())
    throw Error("dataset '" + data_path + "' has no usable images" +
                (in.data.report.bad > 0 ? " (" + std::to_string(in.data.report.bad) + " bad records)" : ""));
  if (in.data.report.bad > 0)
    std::cerr << "glimpse: warning: " << in.data.report.bad << " bad records skipped in '" << data_path
              << "' (glimpse scenes check lists them)\n";
  std::string path = catalogue;
  if (path.empty()) {
    path = find_shipped_file("assets/scene-objects.json").string();
    if (path.empty()) throw Error("assets/scene-objects.json not found next to the program; pass --catalogue");
  }
  in.lexicon = std::make_unique<eval::ObjectLexicon>(vision::load_scene_catalogue(path));
  in.wordnet = text::WordNet::load_debian_if_installed();
  return in;
}

eval::EvalReport evaluate_model_file(const std::string& model_path, const EvalInputs& inputs,
                                     const eval::EvalOptions& options, const eval::BootstrapOptions& bootstrap) {
  model::Checkpoint ckpt = model::load_checkpoint(model_path);
  ckpt.model->prepare_inference(resolve_precision(default_precision_request()));
  const text::Vocabulary vocab = text::Vocabulary::from_json(ckpt.vocabulary_json, model_path);
  try {
    eval::EvalReport report = eval::evaluate(*ckpt.model, vocab, inputs.data, *inputs.lexicon,
                                             inputs.wordnet ? &*inputs.wordnet : nullptr, options);
    eval::add_bootstrap_intervals(report, bootstrap);
    return report;
  } catch (const Error& e) {
    throw Error("model '" + model_path + "': " + e.what());
  }
}

}  // namespace glimpse::app
