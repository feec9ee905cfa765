#include "scenes_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/core/threads.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/scene_dataset.h"
#include "paths.h"

namespace glimpse::app {
namespace {

struct ScenesOptions {
  uint64_t count = 0;
  uint64_t seed = 1;
  int size = 128;
  std::string split = "train";
  std::string out;
  std::string style;  // empty: noto, or emojione for test-style; else parse_art_styles
  bool npm_dir_given = false;
  std::string objects;
  vision::ArtPaths paths;
  std::string format = "png";
  int contexts = 2;
  int min_objects = 1;
  int max_objects = 4;
  bool no_effects = false;
  int threads = 0;
  std::string contact_sheet;
  bool dry_run = false;
  bool as_json = false;
};

struct CheckOptions {
  std::string path;
  std::string format = "auto";
  std::string images;
  std::string image_check = "header";
  std::vector<std::string> splits;
  bool strict = false;
  size_t max_reported = 20;
};

void run_scenes(const ScenesOptions& o) {
  if (o.count == 0) throw Error("scenes: --count is required (and at least 1)");
  if (o.out.empty() && !o.dry_run) throw Error("scenes: --out is required (or --dry-run)");
  if (o.threads > 0) set_threads(o.threads);
  else init_threads();

  std::string objects = o.objects;
  if (objects.empty()) {
    objects = find_shipped_file("assets/scene-objects.json").string();
    if (objects.empty())
      throw Error("scenes: assets/scene-objects.json not found next to the program; pass --objects");
  }
  const vision::SceneCatalogue catalogue = vision::load_scene_catalogue(objects);

  vision::SceneDatasetOptions d;
  d.generator.split = vision::split_from_name(o.split);
  d.generator.seed = o.seed;
  d.generator.contexts_per_image = o.contexts;
  d.generator.layout.canvas = o.size;
  d.generator.layout.min_objects = o.min_objects;
  d.generator.layout.max_objects = o.max_objects;
  d.generator.layout.effects = !o.no_effects;
  d.styles = o.style.empty() ? std::vector<vision::ArtStyle>{vision::default_art_style(d.generator.split)}
                             : vision::parse_art_styles(o.style);
  d.paths = o.paths;
  // The npm artwork lives in the source (or install) tree, wherever glimpse is run from.
  if (!o.npm_dir_given) {
    const auto npm = find_shipped_file("third_party/npm/node_modules");
    if (!npm.empty()) d.paths.npm_dir = npm.string();
  }
  d.count = o.count;
  d.out_dir = o.out;
  d.image_format = o.format;
  d.write = !o.dry_run;
  d.contact_sheet = o.contact_sheet;
  const vision::SceneDatasetStats s = vision::write_scene_dataset(catalogue, d);
  const std::string styles = vision::art_styles_name(d.styles);
  nlohmann::json per_style = nlohmann::json::object();
  for (size_t k = 0; k < d.styles.size(); ++k) per_style[vision::art_style_name(d.styles[k])] = s.scenes_per_style[k];

  if (o.as_json) {
    nlohmann::json j = {{"scenes", s.scenes},
                        {"threads", s.threads},
                        {"size", o.size},
                        {"split", o.split},
                        {"art_style", styles},
                        {"scenes_per_style", per_style},
                        {"catalogue_objects", s.catalogue_objects},
                        {"objects_without_artwork", s.left_out},
                        {"written", !o.dry_run},
                        {"atlas_seconds", s.atlas_seconds},
                        {"scene_seconds", s.scene_seconds},
                        {"scenes_per_second", s.scenes_per_second}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "glimpse scenes: " << s.scenes << " " << o.split << " scenes (" << o.size << " px, "
            << styles << ") " << (o.dry_run ? "generated" : "written to " + o.out)
            << " in " << s.scene_seconds << " s on " << s.threads << " threads: " << s.scenes_per_second
            << " scenes/s (artwork loaded in " << s.atlas_seconds << " s)\n";
  if (!s.left_out.empty()) {
    std::cout << "art: " << s.catalogue_objects << " of " << catalogue.size() << " catalogue objects drawn in "
              << styles << "; left out, without artwork:";
    for (size_t i = 0; i < s.left_out.size(); ++i) std::cout << (i ? ", " : " ") << s.left_out[i];
    std::cout << "\n";
  }
  if (d.styles.size() > 1) {
    std::cout << "scenes per style:";
    for (size_t k = 0; k < d.styles.size(); ++k)
      std::cout << " " << vision::art_style_name(d.styles[k]) << " " << s.scenes_per_style[k];
    std::cout << "\n";
  }
  if (!o.contact_sheet.empty()) std::cout << "contact sheet: " << o.contact_sheet << "\n";
}

vision::ImageCheck image_check_from_name(const std::string& name) {
  if (name == "none") return vision::ImageCheck::None;
  if (name == "exists") return vision::ImageCheck::Exists;
  if (name == "header") return vision::ImageCheck::Header;
  if (name == "decode") return vision::ImageCheck::Decode;
  throw Error("--image-check '" + name + "': expected none, exists, header or decode");
}

void run_check(const CheckOptions& o) {
  vision::DatasetOptions d;
  d.format = vision::dataset_format_from_name(o.format);
  d.images_dir = o.images;
  d.check = image_check_from_name(o.image_check);
  d.splits = o.splits;
  d.strict = o.strict;
  d.max_reported = o.max_reported;
  const vision::CaptionDataset ds = vision::load_caption_dataset(o.path, d);
  std::cout << ds.source << ": " << ds.report.summary() << "\n";
  if (ds.report.bad > 0) throw Error("dataset check: " + std::to_string(ds.report.bad) + " bad records");
}

}  // namespace

void add_scenes_command(CLI::App& app) {
  auto opts = std::make_shared<ScenesOptions>();
  auto* cmd = app.add_subcommand("scenes", "Write an emoji-scene captioning dataset (docs/dataset.md)");
  cmd->add_option("--count", opts->count, "Number of scenes (required)");
  cmd->add_option("--seed", opts->seed, "Seed: the same seed gives the same scenes")->capture_default_str();
  cmd->add_option("--size", opts->size, "Image side, pixels")->capture_default_str()->check(CLI::Range(32, 4096));
  cmd->add_option("--split", opts->split, "train | val | test | test-style")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test", "test-style"}));
  cmd->add_option("--out", opts->out, "Output folder (images + captions.json)");
  cmd->add_option("--style", opts->style,
                  "Art style: noto | emojione | openmoji | fluent-flat | fluent-modern | symbola | emojify, "
                  "mixed (all but emojione), or a comma list; each scene is drawn in one of the list "
                  "(default: noto; emojione for test-style)");
  cmd->add_option("--objects", opts->objects, "Object catalogue (default: assets/scene-objects.json)");
  cmd->add_option("--noto-font", opts->paths.noto_font, "Noto Color Emoji font")->capture_default_str();
  cmd->add_option("--emojione-dir", opts->paths.emojione_dir, "EmojiOne PNG folder")->capture_default_str();
  cmd->add_option("--npm-dir", opts->paths.npm_dir, "node_modules holding openmoji and fluentui-emoji "
                  "(default: third_party/npm/node_modules of the source tree, from scripts/setup.sh)")
      ->each([opts](const std::string&) { opts->npm_dir_given = true; });
  cmd->add_option("--symbola-font", opts->paths.symbola_font, "Symbola font")->capture_default_str();
  cmd->add_option("--emojify-dir", opts->paths.emojify_dir, "emojify.js PNG folder")->capture_default_str();
  cmd->add_option("--art-cache", opts->paths.art_cache_dir,
                  "Folder of rasterised SVG artwork (default: $XDG_CACHE_HOME/glimpse/art or ~/.cache/glimpse/art)");
  cmd->add_option("--format", opts->format, "Image files: png | jpg")
      ->capture_default_str()
      ->check(CLI::IsMember({"png", "jpg"}));
  cmd->add_option("--contexts", opts->contexts, "Context texts per image, 0-6")
      ->capture_default_str()
      ->check(CLI::Range(0, 6));
  cmd->add_option("--min-objects", opts->min_objects, "Fewest objects per scene")->capture_default_str()->check(CLI::Range(1, 4));
  cmd->add_option("--max-objects", opts->max_objects, "Most objects per scene")->capture_default_str()->check(CLI::Range(1, 4));
  cmd->add_flag("--no-effects", opts->no_effects, "No brightness, blur or JPEG artefacts");
  cmd->add_option("--threads", opts->threads, "Threads (default: GLIMPSE_THREADS or all cores)");
  cmd->add_option("--contact-sheet", opts->contact_sheet, "Also write a PNG sheet of the first 16 scenes");
  cmd->add_flag("--dry-run", opts->dry_run, "Generate and encode without writing (measures speed)");
  cmd->add_flag("--json", opts->as_json, "Print the statistics as JSON");

  auto check_opts = std::make_shared<CheckOptions>();
  auto* chk = cmd->add_subcommand("check", "Load a dataset (ours, COCO, Karpathy or Flickr8k) and report bad records");
  chk->add_option("path", check_opts->path, "Dataset folder, JSON file or token file")->required();
  chk->add_option("--format", check_opts->format, "auto | coco | karpathy | flickr")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "coco", "karpathy", "flickr"}));
  chk->add_option("--images", check_opts->images, "Images folder (default: the annotation file's folder)");
  chk->add_option("--image-check", check_opts->image_check, "none | exists | header | decode")->capture_default_str();
  chk->add_option("--split", check_opts->splits, "Keep only these Karpathy splits");
  chk->add_flag("--strict", check_opts->strict, "Stop at the first bad record");
  chk->add_option("--max-reported", check_opts->max_reported, "Bad records listed")->capture_default_str();
  chk->callback([check_opts] { run_check(*check_opts); });

  cmd->callback([chk, opts] {
    if (chk->parsed()) return;
    run_scenes(*opts);
  });
}

}  // namespace glimpse::app
