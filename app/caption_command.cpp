#include "caption_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "glimpse/glimpse.h"
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

void run_caption(const CaptionArgs& a, int& exit_code) {
  const std::string model_path = a.model.empty() ? default_model_path() : a.model;
  if (model_path.empty())
    throw Error("no model given and no shipped model found (assets/models/concat.safetensors); pass --model FILE");
  const auto model = Model::load(model_path);

  // Load every image; a bad one is reported and skipped, the rest are captioned together.
  std::vector<std::string> paths;
  std::vector<Image> images;
  for (const std::string& p : a.images) {
    try {
      images.push_back(load_image(p));
      paths.push_back(p);
    } catch (const Error& e) {
      std::cerr << "glimpse: " << e.what() << "\n";
      exit_code = 1;
    }
  }
  if (images.empty()) return;
  std::vector<const Image*> ptrs;
  ptrs.reserve(images.size());
  for (const auto& im : images) ptrs.push_back(&im);
  const std::vector<Encoding> encodings =
      model->encode(ptrs, std::vector<std::string>(images.size(), a.context));
  // One context for every image: the same words are cut from each, so one notice says it.
  if (const int64_t dropped = encodings.front().context_dropped_tokens(); dropped > 0)
    std::cerr << "glimpse: notice: --context is cut to the model's " << model->card().max_context_tokens
              << " tokens (" << dropped << " left out)\n";
  const std::vector<CaptionResult> results = model->decode(encodings, a.settings);

  JsonOptions json_options;
  json_options.per_layer = a.per_layer;
  json_options.all_hypotheses = a.all_hypotheses;
  if (a.as_json) std::cout << "[\n";
  for (size_t i = 0; i < results.size(); ++i) {
    if (a.as_json) {
      std::cout << caption_json(paths[i], model->card(), results[i], json_options)
                << (i + 1 < results.size() ? ",\n" : "\n");
    } else {
      std::cout << paths[i] << "\t" << results[i].best().text << "\n";
    }
    if (!a.overlay_dir.empty()) {
      try {
        write_overlays(a, paths[i], images[i], results[i]);
      } catch (const std::exception& e) {
        std::cerr << "glimpse: overlays for '" << paths[i] << "': " << e.what() << "\n";
        exit_code = 1;
      }
    }
  }
  if (a.as_json) std::cout << "]\n";
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
  cmd->add_option("--beam", a->settings.beam, "beam width (1 = greedy)")->check(CLI::Range(1, 64));
  cmd->add_option("--max-len", a->settings.max_words, "most words per caption (0 = model limit)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--min-len", a->settings.min_words, "fewest words before <eos>")->check(CLI::Range(0, 4096));
  cmd->add_option("--length-penalty", a->settings.length_penalty, "beam length penalty alpha");
  cmd->add_option("--no-repeat-ngram", a->settings.no_repeat_ngram, "never repeat n-grams of this size")
      ->check(CLI::Range(0, 16));
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
