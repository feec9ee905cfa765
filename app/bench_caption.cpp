#include "bench_caption.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "caption_workloads.h"
#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"
#include "bench_peer.h"
#include "paths.h"

namespace glimpse::app {

using nlohmann::json;
namespace fs = std::filesystem;

void run_caption_bench(const CaptionBenchOptions& o) {
  std::unique_ptr<model::CaptionModel> model;
  std::string path = o.model;
  fs::path temp_dir;
  if (path.empty()) {
    // Speed does not depend on the weights: time the default configuration, random weights.
    model::ModelConfig cfg;
    model = std::make_unique<model::CaptionModel>(cfg, 1);
    temp_dir = fs::temp_directory_path() / ("glimpse-bench-" + std::to_string(::getpid()));
    fs::create_directories(temp_dir);
    path = (temp_dir / "random-default.safetensors").string();
    model::save_checkpoint(path, *model, placeholder_vocabulary(cfg.vocab_size),
                           R"({"made_by": "glimpse bench", "weights": "random"})");
  } else {
    model = std::move(model::load_checkpoint(path).model);
  }
  const model::ModelConfig& cfg = model->config();
  const int words = std::max(1, std::min<int>(o.words, static_cast<int>(cfg.max_caption_len) - 1));

  const bench::CaptionTimes g = bench::time_captioning(*model, words, o.context_tokens, o.min_seconds);
  std::vector<int64_t> positions = {0, 4, 8, 16, 23};
  const auto by_pos = bench::step_cost_by_position(*model, positions, o.min_seconds / 4);
  // Step cost against the number of patches: the same model shape at other image sizes.
  std::vector<bench::StepCost> by_patches;
  for (int size : {64, 128, 192, 256}) {
    model::ModelConfig c = cfg;
    c.image.image_size = size - size % c.image.patch_size;
    model::CaptionModel m(c, 2);
    auto cost = bench::step_cost_by_position(m, {8}, o.min_seconds / 4);
    by_patches.insert(by_patches.end(), cost.begin(), cost.end());
  }

  json t = nullptr;
  if (o.torch) {
    std::ostringstream args;
    args << "--model '" << path << "' --threads " << o.threads << " --min-seconds " << o.min_seconds
         << " --max-len " << words << " --min-len " << words << " --beam 3";
    t = run_peer_script(o.python, "bench/torch_caption_peer.py", args.str());
  }
  if (!temp_dir.empty()) fs::remove_all(temp_dir);

  json report = {{"model", o.model.empty() ? "default config, random weights" : o.model},
                 {"fusion", fusion_name(cfg.fusion)},
                 {"patches", model->num_patches()},
                 {"words", words},
                 {"context_tokens", o.context_tokens},
                 {"threads", o.threads},
                 {"glimpse", {{"encode_ms", g.encode_ms},
                              {"per_token_ms", g.per_token_ms},
                              {"greedy_caption_ms", g.greedy_ms},
                              {"beam3_caption_ms", g.beam3_ms}}}};
  json pos = json::array(), pat = json::array();
  for (const auto& s : by_pos) pos.push_back({{"position", s.position}, {"ms", s.ms}});
  for (const auto& s : by_patches) pat.push_back({{"patches", s.patches}, {"ms", s.ms}});
  report["glimpse"]["step_ms_by_position"] = pos;
  report["glimpse"]["step_ms_by_patches"] = pat;
  if (!t.is_null()) {
    report["pytorch"] = t;
    report["speedup"] = {
        {"encode", t["encode_ms"].get<double>() / g.encode_ms},
        {"per_token", t["per_token_decode_ms"].get<double>() / g.per_token_ms},
        {"greedy_caption", t["greedy_caption_ms"].get<double>() / g.greedy_ms},
        {"beam3_caption", t["beam_caption_ms"].get<double>() / g.beam3_ms}};
  }
  if (o.as_json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  std::ostream& out = std::cout;
  out << std::fixed << std::setprecision(2) << "glimpse bench --caption: " << report["model"].get<std::string>()
      << ", fusion " << fusion_name(cfg.fusion) << ", " << model->num_patches() << " patches, "
      << words << " words, " << o.context_tokens << " context tokens, " << o.threads
      << " thread(s), batch 1\n\n"
      << std::left << std::setw(22) << "" << std::right << std::setw(12) << "glimpse ms"
      << std::setw(14) << "pytorch ms" << std::setw(12) << "speed-up\n";
  auto line = [&](const char* name, double gm, const char* tkey, const char* skey) {
    out << std::left << std::setw(22) << name << std::right << std::setw(12) << gm;
    if (!t.is_null())
      out << std::setw(14) << t[tkey].get<double>() << std::setw(10) << report["speedup"][skey].get<double>() << "x";
    out << "\n";
  };
  line("encode", g.encode_ms, "encode_ms", "encode");
  line("decode, per token", g.per_token_ms, "per_token_decode_ms", "per_token");
  line("caption, greedy", g.greedy_ms, "greedy_caption_ms", "greedy_caption");
  line("caption, beam 3", g.beam3_ms, "beam_caption_ms", "beam3_caption");
  out << "\none cached decode step against its position (glimpse):";
  for (const auto& s : by_pos) out << "  t=" << s.position << ": " << s.ms << " ms";
  out << "\none cached decode step against the patch count (glimpse, t=8):";
  for (const auto& s : by_patches) out << "  " << s.patches << ": " << s.ms << " ms";
  out << "\n";
  if (!t.is_null()) out << "pytorch: " << t["decoding"].get<std::string>() << "\n";
}

}  // namespace glimpse::app
