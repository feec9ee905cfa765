#include "bench_train.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"
#include "bench_blas.h"
#include "bench_peer.h"
#include "paths.h"
#include "train_workloads.h"

namespace glimpse::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kTargetSpeedup = 1.5;
constexpr double kLossTolerance = 1e-4;  // relative, first-step loss, dropout off
// bf16 matmuls against glimpse's own fp32 step, same weights and batch, dropout off: rounding
// every projection's inputs to 8 significant bits moved the first-step loss by 2.5e-5 relative
// on the shipped configuration (AMD EPYC, 2026-12-02), so 5e-3 catches a broken path, not noise.
constexpr double kBf16LossTolerance = 5e-3;

// A float setting as the decimal it was written as (1e-4f prints 0.0001, not 9.99999974e-05).
double decimal(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", static_cast<double>(v));
  return std::strtod(buf, nullptr);
}



}  // namespace

void run_train_bench(const TrainBenchOptions& o) {
  std::unique_ptr<model::CaptionModel> model;
  if (!o.model.empty()) {
    if (!o.config.empty() || o.vocab > 0)
      throw Error("bench --train: --model takes its config from the file; drop --config/--vocab");
    model = std::move(model::load_checkpoint(o.model).model);
  } else {
    model::ModelConfig cfg = o.config.empty() ? model::ModelConfig{}
                        : model::config_with_overrides(model::read_config_overrides(o.config), o.config);
    if (o.vocab > 0) cfg.vocab_size = o.vocab;
    validate(cfg);
    model = std::make_unique<model::CaptionModel>(cfg, 1);
  }
  const model::ModelConfig& cfg = model->config();
  const train::TrainingBatch batch = bench::make_train_batch(cfg, o.batch, o.caption_len, o.context_len);
  const bench::TrainHyper hyper;

  // The peer gets the initial weights and the batch; write them before the timed steps move the
  // weights.
  fs::path temp_dir;
  std::string weights_path, batch_path;
  if (o.torch) {
    temp_dir = fs::temp_directory_path() / ("glimpse-bench-train-" + std::to_string(::getpid()));
    fs::create_directories(temp_dir);
    weights_path = (temp_dir / "weights.safetensors").string();
    batch_path = (temp_dir / "batch.safetensors").string();
    model::save_checkpoint(weights_path, *model, placeholder_vocabulary(cfg.vocab_size),
                           R"({"made_by": "glimpse bench --train", "weights": "initial"})");
    bench::save_train_batch(batch_path, batch, *model);
  }

  const bench::TrainBenchResult g =
      bench::run_train_workload(*model, batch, hyper, o.min_seconds, o.check_steps);

  const BlasKernelChoice blas = choose_blas_kernel(o.threads, o.min_seconds);
  json t = nullptr;
  if (o.torch) {
    std::ostringstream args;
    args << "--model '" << weights_path << "' --batch-file '" << batch_path << "' --threads "
         << o.threads << " --min-seconds " << o.min_seconds << " --lr " << hyper.lr
         << " --weight-decay " << hyper.weight_decay << " --label-smoothing " << hyper.label_smoothing
         << " --max-grad-norm " << hyper.max_grad_norm << " --check-steps " << o.check_steps;
    t = run_peer(torch_peer(o.python, "bench/torch_train_peer.py", args.str(), peer_blas_environment(blas)));
    fs::remove_all(temp_dir);
  }

  const auto& tm = g.times;
  const double frac_tw = tm.gflops / g.sgemm.time_weighted_gflops;
  const double frac_rep = tm.gflops / g.sgemm.representative_gflops;
  json report = {
      {"model", o.model.empty() ? (o.config.empty() ? "default config" : o.config) + ", random weights"
                                : o.model},
      {"config", json::parse(model::to_json(cfg))},
      {"batch", batch.batch},
      {"caption_len", batch.caption_len},
      {"context_len", batch.input.context_len},
      {"patches", model->num_patches()},
      {"threads", o.threads},
      {"hyper", {{"lr", decimal(hyper.lr)}, {"weight_decay", decimal(hyper.weight_decay)},
                 {"label_smoothing", decimal(hyper.label_smoothing)},
                 {"max_grad_norm", decimal(hyper.max_grad_norm)},
                 {"ignore_index", hyper.pad_id}}},
      {"glimpse", {{"ms_per_step", tm.step_ms},
                   {"forward_ms", tm.forward_ms},
                   {"backward_and_update_ms", tm.step_ms - tm.forward_ms},
                   {"samples_per_s", tm.samples_per_s},
                   {"step_gflop", tm.step_flops * 1e-9},
                   {"gflops", tm.gflops},
                   {"sgemm_gflops_time_weighted", g.sgemm.time_weighted_gflops},
                   {"sgemm_gflops_2048x1024x256", g.sgemm.representative_gflops},
                   {"fraction_of_sgemm", frac_tw},
                   {"fraction_of_sgemm_2048x1024x256", frac_rep},
                   {"check_losses", g.check_losses}}}};
  report["config"]["dropout"] = decimal(cfg.dropout);
  report["blas"] = to_json(blas);
  // The in-process sgemm reference runs the kernel this process loaded; the best kernel's
  // figure at the representative shape comes from its child-process probe.
  const BlasKernelProbe* best = blas.chosen_probe();
  if (best && best->gflops_2048x1024x256 > 0) {
    report["glimpse"]["sgemm_best_kernel_gflops_2048x1024x256"] = best->gflops_2048x1024x256;
    report["glimpse"]["fraction_of_best_kernel_sgemm_2048x1024x256"] = tm.gflops / best->gflops_2048x1024x256;
  }
  if (g.bf16_times) {
    const auto& b = *g.bf16_times;
    json j = {{"ms_per_step", b.step_ms},
              {"forward_ms", b.forward_ms},
              {"samples_per_s", b.samples_per_s},
              {"gflops", b.gflops},
              {"fraction_of_sgemm", b.gflops / g.sgemm.time_weighted_gflops},
              {"speedup_over_fp32", b.samples_per_s / tm.samples_per_s},
              {"check_losses", g.bf16_check_losses},
              {"kernel", g.bf16_kernel}};
    if (best && best->gflops_2048x1024x256 > 0)
      j["fraction_of_best_kernel_sgemm_2048x1024x256"] = b.gflops / best->gflops_2048x1024x256;
    if (!g.bf16_check_losses.empty() && !g.check_losses.empty()) {
      const double d = std::fabs(g.bf16_check_losses[0] - g.check_losses[0]) /
                       std::max(1e-12, std::fabs(static_cast<double>(g.check_losses[0])));
      j["first_step_relative_difference_from_fp32"] = d;
      j["tolerance"] = kBf16LossTolerance;
      j["agree"] = d <= kBf16LossTolerance;
    }
    report["glimpse_bf16"] = j;
  }
  bool agree = false;
  double rel = NAN;
  if (!t.is_null()) {
    report["pytorch"] = t;
    report["speedup"] = tm.samples_per_s / t["samples_per_s"].get<double>();
    report["target_speedup"] = kTargetSpeedup;
    const auto tl = t["check_losses"].get<std::vector<double>>();
    if (!tl.empty() && !g.check_losses.empty()) {
      rel = std::fabs(g.check_losses[0] - tl[0]) / std::max(1e-12, std::fabs(tl[0]));
      agree = rel <= kLossTolerance;
      json per_step = json::array();
      for (size_t i = 0; i < std::min(tl.size(), g.check_losses.size()); ++i)
        per_step.push_back(std::fabs(g.check_losses[i] - tl[i]) / std::max(1e-12, std::fabs(tl[i])));
      report["loss_check"] = {{"dropout", 0.0},
                              {"glimpse", g.check_losses},
                              {"pytorch", tl},
                              {"relative_difference", per_step},
                              {"first_step_relative_difference", rel},
                              {"tolerance", kLossTolerance},
                              {"agree", agree}};
    }
  }
  if (report.contains("glimpse_bf16") && !t.is_null())
    report["glimpse_bf16"]["speedup"] = g.bf16_times->samples_per_s / t["samples_per_s"].get<double>();
  if (o.as_json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  std::ostream& out = std::cout;
  out << "glimpse bench --train: " << report["model"].get<std::string>() << ", fusion "
      << fusion_name(cfg.fusion) << ", d_model " << cfg.d_model << ", " << cfg.num_heads
      << " heads, hidden " << cfg.d_hidden << ", layers " << cfg.encoder_layers << "/"
      << cfg.context_layers << "/" << cfg.decoder_layers << " (vision/context/decoder), vocab "
      << cfg.vocab_size << ", dropout " << cfg.dropout << "\n"
      << "batch " << batch.batch << " x (" << model->num_patches() << " patches, "
      << batch.input.context_len << " context tokens, " << batch.caption_len << " caption tokens), "
      << o.threads << " thread(s); AdamW lr " << hyper.lr << " wd " << hyper.weight_decay
      << ", label smoothing " << hyper.label_smoothing << ", clip " << hyper.max_grad_norm << "\n\n"
      << std::fixed << std::setprecision(2) << std::left << std::setw(22) << "" << std::right
      << std::setw(12) << "glimpse" << std::setw(12) << "pytorch" << std::setw(12) << "ratio\n";
  auto line = [&](const char* name, double gv, const char* tkey, bool higher_better) {
    out << std::left << std::setw(22) << name << std::right << std::setw(12) << gv;
    if (!t.is_null()) {
      const double tv = t[tkey].get<double>();
      out << std::setw(12) << tv << std::setw(10) << (higher_better ? gv / tv : tv / gv) << "x";
    }
    out << "\n";
  };
  line("ms / step", tm.step_ms, "ms_per_step", false);
  line("  forward + loss ms", tm.forward_ms, "forward_ms", false);
  line("samples / s", tm.samples_per_s, "samples_per_s", true);
  if (!t.is_null())
    out << "speed-up (samples/s): " << report["speedup"].get<double>() << "x (target "
        << kTargetSpeedup << "x: " << (report["speedup"].get<double>() >= kTargetSpeedup ? "met" : "not met")
        << ")\n";
  out << std::setprecision(1) << "\nglimpse step: " << tm.step_flops * 1e-9 << " GFLOP (GEMMs, forward + backward) in "
      << std::setprecision(2) << tm.step_ms << " ms = " << std::setprecision(1) << tm.gflops
      << " GFLOP/s\nOpenBLAS sgemm this run: " << g.sgemm.time_weighted_gflops
      << " GFLOP/s (time-weighted over the model's shapes), " << g.sgemm.representative_gflops
      << " GFLOP/s (2048x1024x256)\nfraction of sgemm: " << std::setprecision(0) << 100 * frac_tw
      << "% (time-weighted), " << 100 * frac_rep << "% (2048x1024x256)\n"
      << in_process_blas_line(blas) << "\n";
  if (best && best->gflops_2048x1024x256 > 0 && blas.in_process != blas.corename)
    out << std::setprecision(1) << "best-kernel sgemm (" << blas.corename << ", child process): " << best->gflops_2048x1024x256
        << " GFLOP/s (2048x1024x256); fraction of it: " << std::setprecision(0)
        << 100 * tm.gflops / best->gflops_2048x1024x256 << "%\n";
  out << peer_blas_line(blas) << "\n";
  if (report.contains("glimpse_bf16")) {
    const json& b = report["glimpse_bf16"];
    out << std::setprecision(2) << "\nbf16 matmuls (--precision bf16: bf16 inputs, fp32 accumulation, weights and AdamW; oneDNN "
        << b["kernel"].get<std::string>() << "): "
        << b["ms_per_step"].get<double>() << " ms / step, " << std::setprecision(1)
        << b["samples_per_s"].get<double>() << " samples/s = " << std::setprecision(2)
        << b["speedup_over_fp32"].get<double>() << "x fp32";
    if (b.contains("speedup")) out << ", " << b["speedup"].get<double>() << "x pytorch";
    out << "; " << std::setprecision(1) << b["gflops"].get<double>() << " GFLOP/s = " << std::setprecision(0)
        << 100 * b["fraction_of_sgemm"].get<double>() << "% of fp32 sgemm (time-weighted)";
    if (b.contains("fraction_of_best_kernel_sgemm_2048x1024x256"))
      out << ", " << 100 * b["fraction_of_best_kernel_sgemm_2048x1024x256"].get<double>()
          << "% of the best kernel's (2048x1024x256)";
    out << "\n";
    if (b.contains("agree"))
      out << std::scientific << std::setprecision(1) << "bf16 first-step loss, dropout off: relative difference from fp32 "
          << b["first_step_relative_difference_from_fp32"].get<double>() << " (tolerance " << kBf16LossTolerance
          << "): " << (b["agree"].get<bool>() ? "agree" : "DISAGREE") << std::fixed << "\n";
  }
  if (!t.is_null())
    if (const auto warn = peer_blas_mismatch(blas, t["blas"], "PyTorch"); !warn.empty()) out << warn << "\n";
  if (report.contains("loss_check")) {
    const auto& lc = report["loss_check"];
    out << std::setprecision(6) << "\nloss check, dropout off (" << g.check_losses.size()
        << " steps): glimpse";
    for (float l : g.check_losses) out << " " << l;
    out << " | pytorch";
    for (double l : lc["pytorch"].get<std::vector<double>>()) out << " " << l;
    out << std::scientific << std::setprecision(1) << "\nfirst-step loss relative difference "
        << rel << " (tolerance " << kLossTolerance << "): " << (agree ? "agree" : "DISAGREE") << "\n";
  } else if (!g.check_losses.empty()) {
    out << std::setprecision(6) << "\nlosses, dropout off (glimpse):";
    for (float l : g.check_losses) out << " " << l;
    out << "\n";
  }
}

}  // namespace glimpse::app
