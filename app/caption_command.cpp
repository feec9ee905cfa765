#include "caption_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "glimpse/glimpse.h"
#include "eval_inputs.h"  // add_precision_option
#include "paths.h"

namespace glimpse::app {
namespace {

namespace fs = std::filesystem;

struct CaptionArgs {
  std::vector<std::string> images;
  std::string model;
  std::string context;
  DecodeSettings settings;
  bool as_json = false;
  bool all_hypotheses = false;
  std::string overlay_dir;
  float overlay_alpha = 0.5f;
  std::string overlay_step = "predicted";
  bool per_layer = true;
  int batch = kDefaultCaptionBatch;
};

// DIR/<image stem>/NN-word.png per word, and DIR/<image stem>/sheet.png with all of them.
void write_overlays(const CaptionArgs& a, const std::string& path, const Image& image,
                    const CaptionResult& r) {
  const bool use_input = a.overlay_step == "input";
  const Caption& c = r.best();
  const fs::path dir = fs::path(a.overlay_dir) / fs::path(path).stem();
  fs::create_directories(dir);
  OverlayStyle style;
  style.alpha = a.overlay_alpha;
  std::vector<SheetTile> tiles;
  for (size_t i = 0; i < c.words.size(); ++i) {
    const Word& w = c.words[i];
    const StepAttention& att = use_input && !w.as_input.empty() ? w.as_input : w.predicted;
    style.label = w.text + "  (" + c.text + ")";
    char name[32];
    std::snprintf(name, sizeof name, "%02zu-", i + 1);
    std::string safe;
    for (char ch : w.text) safe += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    save_png((dir / (name + safe + ".png")).string(), render_overlay(image, r.grid, att.image, style));
    tiles.push_back({w.text, att.image});
  }
  style.label.clear();
  style.outline_argmax = false;
  save_png((dir / "sheet.png").string(), render_attention_sheet(image, r.grid, tiles, 4, style));
}

// Prints the records of one command's images in order, JSON or plain, as they are captioned.
class CaptionPrinter {
 public:
  CaptionPrinter(const CaptionArgs& a, const ModelCard& card) : a_(a), card_(card) {
    options_.per_layer = a.per_layer;
    options_.all_hypotheses = a.all_hypotheses;
  }
  // The JSON array opens with the first record, so a run where every image fails prints nothing.
  void print(const std::string& path, const CaptionResult& r) {
    if (a_.as_json) {
      std::cout << (printed_ ? ",\n" : "[\n") << caption_json(path, card_, r, options_);
    } else {
      std::cout << path << "\t" << r.best().text << "\n";
    }
    printed_ = true;
  }
  void finish() {
    if (a_.as_json && printed_) std::cout << "\n]\n";
  }

 private:
  const CaptionArgs& a_;
  const ModelCard& card_;
  JsonOptions options_;
  bool printed_ = false;
};

// Images are read, encoded and decoded `--batch` at a time (the decode session runs a batch's
// captions in lock-step), so at most one batch of full-size pictures is in memory. The output
// is the same for every batch size: one record per readable image in argument order, and one
// stderr line per unreadable one, which leaves the rest of its batch to be captioned.
void run_caption(const CaptionArgs& a, int& exit_code) {
  const std::string model_path = a.model.empty() ? default_model_path() : a.model;
  if (model_path.empty())
    throw Error("no model given and no shipped model found (assets/models/concat.safetensors); pass --model FILE");
  const auto model = Model::load(model_path);

  // One context for every image: the same words are cut from each, so one notice says it (the
  // encoder cuts exactly the tokens past max_context_tokens, so this is known before any image).
  const int64_t context_tokens = static_cast<int64_t>(model->tokenize(a.context).size());
  if (const int64_t dropped = context_tokens - model->card().max_context_tokens; dropped > 0)
    std::cerr << "glimpse: notice: --context is cut to the model's " << model->card().max_context_tokens
              << " tokens (" << dropped << " left out)\n";

  CaptionPrinter printer(a, model->card());
  const size_t batch_size = static_cast<size_t>(std::max(1, a.batch));
  for (size_t begin = 0; begin < a.images.size(); begin += batch_size) {
    const size_t end = std::min(a.images.size(), begin + batch_size);
    std::vector<std::string> paths;
    std::vector<Image> images;
    for (size_t i = begin; i < end; ++i) {
      try {
        images.push_back(load_image(a.images[i]));
        paths.push_back(a.images[i]);
      } catch (const Error& e) {
        std::cerr << "glimpse: " << e.what() << "\n";
        exit_code = 1;
      }
    }
    if (images.empty()) continue;
    std::vector<const Image*> ptrs;
    ptrs.reserve(images.size());
    for (const auto& im : images) ptrs.push_back(&im);
    const std::vector<Encoding> encodings =
        model->encode(ptrs, std::vector<std::string>(images.size(), a.context));
    const std::vector<CaptionResult> results = model->decode(encodings, a.settings);
    for (size_t i = 0; i < results.size(); ++i) {
      printer.print(paths[i], results[i]);
      if (!a.overlay_dir.empty()) {
        try {
          write_overlays(a, paths[i], images[i], results[i]);
        } catch (const std::exception& e) {
          std::cerr << "glimpse: overlays for '" << paths[i] << "': " << e.what() << "\n";
          exit_code = 1;
        }
      }
    }
    std::cout.flush();
  }
  printer.finish();
}

}  // namespace

std::string default_model_path() {
  const auto p = find_shipped_file("assets/models/concat.safetensors");
  return p.empty() ? std::string() : p.string();
}

void add_caption_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CaptionArgs>();
  CLI::App* cmd = app.add_subcommand("caption", "Caption images and show where each word looked");
  cmd->add_option("images", a->images, "image files (PNG, JPEG, ...)")->required();
  cmd->add_option("--model", a->model, "model file (default: the shipped concat model)");
  cmd->add_option("--context", a->context, "context text: tags, hints or an instruction");
  add_precision_option(cmd);  // read by glimpse::Model::load
  cmd->add_option("--beam", a->settings.beam, "beam width (1 = greedy)")->check(CLI::Range(1, 64));
  cmd->add_option("--max-len", a->settings.max_words, "most words per caption (0 = model limit)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--min-len", a->settings.min_words, "fewest words before <eos>")->check(CLI::Range(0, 4096));
  cmd->add_option("--length-penalty", a->settings.length_penalty, "beam length penalty alpha");
  cmd->add_option("--no-repeat-ngram", a->settings.no_repeat_ngram, "never repeat n-grams of this size")
      ->check(CLI::Range(0, 16));
  cmd->add_option("--batch", a->batch,
                  "images read, encoded and decoded together (same output for every size)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--json", a->as_json, "print JSON with every word's attention");
  cmd->add_option("--top-k", a->settings.top_k, "alternatives per step in the JSON")->check(CLI::Range(0, 32));
  cmd->add_flag("--all-hypotheses", a->all_hypotheses, "JSON: every beam hypothesis with its attention");
  cmd->add_flag("!--no-layers", a->per_layer, "JSON without per-layer/per-head maps");
  cmd->add_option("--overlay-dir", a->overlay_dir, "write per-word attention overlays here");
  cmd->add_option("--overlay-alpha", a->overlay_alpha, "heat-map opacity")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--overlay-step", a->overlay_step,
                  "which map to draw: 'predicted' (the step that chose the word) or 'input' "
                  "(the next step, where the word is the decoder's input)")
      ->check(CLI::IsMember({"predicted", "input"}));
  cmd->callback([a, &exit_code] { run_caption(*a, exit_code); });
}

}  // namespace glimpse::app
