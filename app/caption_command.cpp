#include "caption_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/glimpse.h"
#include "glimpse/vision/attention_sheet.h"
#include "glimpse/vision/overlay.h"
#include "paths.h"

namespace glimpse::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct CaptionArgs {
  std::vector<std::string> images;
  std::string model;
  CaptionOptions options;
  bool as_json = false;
  std::string overlay_dir;
  float overlay_alpha = 0.5f;
  std::string overlay_step = "predicted";
  bool per_layer = true;
};

json attention_json(const StepAttention& a, bool per_layer) {
  json j = {{"image_attention", a.image}, {"context_attention", a.context},
            {"image_share", a.image_share}};
  if (!per_layer) return j;
  json layers = json::array();
  const size_t N = a.image.size(), Lc = a.context.size();
  for (int l = 0; l < a.layers; ++l) {
    json heads_img = json::array(), heads_ctx = json::array();
    for (int h = 0; h < a.heads; ++h) {
      const size_t row = static_cast<size_t>(l * a.heads + h);
      heads_img.push_back(std::vector<float>(a.image_by_head.begin() + static_cast<std::ptrdiff_t>(row * N),
                                             a.image_by_head.begin() + static_cast<std::ptrdiff_t>((row + 1) * N)));
      heads_ctx.push_back(std::vector<float>(a.context_by_head.begin() + static_cast<std::ptrdiff_t>(row * Lc),
                                             a.context_by_head.begin() + static_cast<std::ptrdiff_t>((row + 1) * Lc)));
    }
    layers.push_back({{"image_attention", heads_img}, {"context_attention", heads_ctx},
                      {"image_share", a.image_share_by_layer[static_cast<size_t>(l)]}});
  }
  j["layers"] = layers;
  return j;
}

json caption_json(const std::string& path, const Captioner& captioner, const ImageCaption& c,
                  bool per_layer) {
  json boxes = json::array();
  for (const auto& b : c.grid.boxes) boxes.push_back({b.x0, b.y0, b.x1, b.y1});
  json tokens = json::array();
  for (const CaptionWord& w : c.words) {
    json t = {{"text", w.text}, {"logprob", w.logprob}};
    t.update(attention_json(w.predicted, per_layer));
    if (w.as_input.layers > 0) t["as_input"] = attention_json(w.as_input, per_layer);
    tokens.push_back(t);
  }
  json j = {{"image", path},
            {"caption", c.caption},
            {"model", captioner.model_path()},
            {"fusion", captioner.fusion()},
            {"grid", {c.grid.rows, c.grid.cols}},
            {"patch_boxes", boxes},
            {"context_tokens", c.context_tokens},
            {"score", c.score},
            {"finished", c.finished},
            {"tokens", tokens}};
  if (!c.gates.empty()) j["gates"] = c.gates;
  if (c.context_dropped_tokens > 0) j["context_dropped_tokens"] = c.context_dropped_tokens;
  return j;
}

// DIR/<image stem>/NN-word.png per word, and DIR/<image stem>/sheet.png with all of them.
void write_overlays(const CaptionArgs& a, const std::string& path, const vision::Image& image,
                    const ImageCaption& c) {
  const bool use_input = a.overlay_step == "input";
  const fs::path dir = fs::path(a.overlay_dir) / fs::path(path).stem();
  fs::create_directories(dir);
  vision::OverlayOptions opt;
  opt.alpha = a.overlay_alpha;
  opt.outline_argmax = true;
  std::vector<vision::WordAttention> words;
  for (size_t i = 0; i < c.words.size(); ++i) {
    const CaptionWord& w = c.words[i];
    const StepAttention& att = use_input && w.as_input.layers > 0 ? w.as_input : w.predicted;
    opt.label = w.text + "  (" + c.caption + ")";
    char name[32];
    std::snprintf(name, sizeof name, "%02zu-", i + 1);
    std::string safe;
    for (char ch : w.text) safe += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    vision::save_png((dir / (name + safe + ".png")).string(),
                     vision::render_overlay(image, c.grid, att.image, opt));
    words.push_back({w.text, att.image});
  }
  vision::OverlayOptions sheet_opt;
  sheet_opt.alpha = a.overlay_alpha;
  vision::save_png((dir / "sheet.png").string(),
                   vision::word_attention_sheet(image, c.grid, words, 4, sheet_opt));
}

void run_caption(const CaptionArgs& a, int& exit_code) {
  const std::string model_path = a.model.empty() ? default_model_path() : a.model;
  if (model_path.empty())
    throw Error("no model given and no shipped model found (assets/models/concat.safetensors); pass --model FILE");
  Captioner captioner(model_path);

  // Load every image; a bad one is reported and skipped, the rest are captioned together.
  std::vector<std::string> paths;
  std::vector<vision::Image> images;
  for (const std::string& p : a.images) {
    try {
      images.push_back(vision::load_image(p));
      paths.push_back(p);
    } catch (const Error& e) {
      std::cerr << "glimpse: " << e.what() << "\n";
      exit_code = 1;
    }
  }
  if (images.empty()) return;
  std::vector<const vision::Image*> ptrs;
  for (const auto& im : images) ptrs.push_back(&im);
  const std::vector<ImageCaption> captions = captioner.caption(ptrs, a.options);

  json all = json::array();
  for (size_t i = 0; i < captions.size(); ++i) {
    if (a.as_json) all.push_back(caption_json(paths[i], captioner, captions[i], a.per_layer));
    else std::cout << paths[i] << "\t" << captions[i].caption << "\n";
    if (!a.overlay_dir.empty()) {
      try {
        write_overlays(a, paths[i], images[i], captions[i]);
      } catch (const std::exception& e) {
        std::cerr << "glimpse: overlays for '" << paths[i] << "': " << e.what() << "\n";
        exit_code = 1;
      }
    }
  }
  if (a.as_json) std::cout << all.dump(2) << "\n";
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
  cmd->add_option("--context", a->options.context, "context text: tags, hints or an instruction");
  cmd->add_option("--beam", a->options.beam, "beam width (1 = greedy)")->check(CLI::Range(1, 64));
  cmd->add_option("--max-len", a->options.max_len, "most words per caption (0 = model limit)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--min-len", a->options.min_len, "fewest words before <eos>")->check(CLI::Range(0, 4096));
  cmd->add_option("--length-penalty", a->options.length_penalty, "beam length penalty alpha");
  cmd->add_option("--no-repeat-ngram", a->options.no_repeat_ngram, "never repeat n-grams of this size")
      ->check(CLI::Range(0, 16));
  cmd->add_flag("--json", a->as_json, "print JSON with every word's attention");
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
