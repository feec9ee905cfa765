#include "bench_command.h"

#include "bench_blas.h"
#include "bench_caption.h"
#include "bench_min_time.h"
#include "bench_peer.h"
#include "bench_throughput.h"
#include "eval_inputs.h"  // add_precision_option
#include "bench_train.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/core/threads.h"
#include "paths.h"
#include "workloads.h"

namespace glimpse::app {
namespace {

using nlohmann::json;

struct BenchOptions {
  bench::BlockWorkload workload;
  int threads = 0;
  double min_seconds = 1.0;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  bool as_json = false;
  bool caption = false;
  bool throughput = false;    // --throughput: captions/s at batch 1 and --batch
  std::string model;
  int words = 12;
  bool train = false;  // --train: whole-model training steps beside PyTorch
  std::string config;
  int64_t vocab = 0;
  int64_t caption_len = 16;
  int64_t context_len = 4;
  bool onnx = true;           // with --caption: the ONNX Runtime peer
  std::string node = "node";
  bool blas_probe = false;  // --blas-probe: the child side of choose_blas_kernel
};

// Runs the PyTorch peer on the same workload; returns null JSON (and says why) when it cannot.
json run_torch_peer(const BenchOptions& o, const BlasKernelChoice& blas, const std::string& workload) {
  const auto& w = o.workload;
  std::ostringstream args;
  args << "--workload " << workload << " --d-model " << w.config.d_model << " --heads "
       << w.config.num_heads << " --hidden " << w.config.d_hidden << " --batch " << w.batch
       << " --len-t " << w.len_t << " --len-m " << w.len_m << " --threads " << o.threads
       << " --min-seconds " << o.min_seconds;
  return run_peer(torch_peer(o.python, "bench/torch_peer.py", args.str(), peer_blas_environment(blas)));
}

void run_bench(BenchOptions o) {
  if (o.threads > 0) set_threads(o.threads);
  o.threads = num_threads();
  validate(o.workload.config);
  const auto& w = o.workload;
  const BlasKernelChoice blas = choose_blas_kernel(o.threads, o.min_seconds);
  json report;
  report["threads"] = o.threads;
  report["blas"] = to_json(blas);
  report["shape"] = {{"d_model", w.config.d_model}, {"heads", w.config.num_heads},
                     {"hidden", w.config.d_hidden}, {"batch", w.batch},
                     {"len_t", w.len_t}, {"len_m", w.len_m}, {"vocab", w.vocab}};

  std::ostream& out = std::cout;
  const bool text = !o.as_json;
  if (text)
    out << "glimpse bench: " << o.threads << " threads, d_model " << w.config.d_model << ", heads "
        << w.config.num_heads << ", hidden " << w.config.d_hidden << ", batch " << w.batch
        << " x " << w.len_t << " tokens, memory " << w.len_m << " rows\n\n"
        << std::left << std::setw(30) << "GEMM (M x N x K)" << std::right << std::setw(18)
        << "shape" << std::setw(12) << "eigen" << std::setw(12) << "onednn" << std::setw(12)
        << "openblas" << std::setw(9) << "ratio\n"
        << std::setw(60) << "GFLOP/s" << std::setw(12) << "GFLOP/s" << std::setw(12) << "GFLOP/s"
        << "   onednn/openblas\n"
        << std::fixed << std::setprecision(1);
  json gemms = json::array();
  double flops = 0, eigen_sec = 0, dnnl_sec = 0, blas_sec = 0;
  for (const auto& c : bench::model_gemm_cases(w)) {
    const double te = bench::time_gemm(GemmBackend::Eigen, c, o.min_seconds / 4);
    const double td = bench::time_gemm(GemmBackend::Dnnl, c, o.min_seconds / 4);
    const double tb = bench::time_gemm(GemmBackend::Blas, c, o.min_seconds / 4);
    const double ge = c.flops() / te * 1e-9, gd = c.flops() / td * 1e-9, gb = c.flops() / tb * 1e-9;
    flops += c.flops();
    eigen_sec += te;
    dnnl_sec += td;
    blas_sec += tb;
    gemms.push_back({{"name", c.name}, {"M", c.M}, {"N", c.N}, {"K", c.K}, {"eigen_gflops", ge},
                     {"onednn_gflops", gd}, {"openblas_gflops", gb}, {"ratio", gd / gb}});
    if (text) {
      std::ostringstream shape;
      shape << c.M << "x" << c.N << "x" << c.K;
      out << c.name << std::setw(std::max<int>(1, 48 - static_cast<int>(c.name.size())))
          << shape.str() << std::setw(12) << ge << std::setw(12) << gd << std::setw(12) << gb
          << std::setw(8) << std::setprecision(2) << gd / gb << std::setprecision(1) << "\n";
    }
  }
  const double eigen_total = flops / eigen_sec * 1e-9, dnnl_total = flops / dnnl_sec * 1e-9,
               blas_total = flops / blas_sec * 1e-9;
  report["gemm"] = gemms;
  report["gemm_total"] = {{"eigen_gflops", eigen_total}, {"onednn_gflops", dnnl_total},
                          {"openblas_gflops", blas_total}, {"ratio", dnnl_total / blas_total},
                          {"backend_in_use", gemm_backend_name(gemm_backend())}};
  if (text)
    out << std::left << std::setw(48) << "all shapes (time-weighted)" << std::right
        << std::setw(12) << eigen_total << std::setw(12) << dnnl_total << std::setw(12)
        << blas_total << std::setw(8) << std::setprecision(2) << dnnl_total / blas_total
        << std::setprecision(1) << "\n  backend in use: " << gemm_backend_name(gemm_backend())
        << " (GLIMPSE_GEMM=dnnl|eigen|blas switches)\n  "
        << in_process_blas_line(blas) << "\n  " << peer_blas_line(blas) << "\n\n";

  struct Item {
    const char* key;
    const char* label;
    bench::PassTimes (*fn)(const bench::BlockWorkload&, double);
    const char* torch_name;
  };
  const Item items[] = {
      {"cross_attention", "cross-attention", bench::time_cross_attention, "cross_attention"},
      {"decoder_block", "decoder block", bench::time_decoder_block, "decoder_block"},
  };
  if (text)
    out << std::left << std::setw(18) << "workload" << std::right << std::setw(14) << "glimpse ms"
        << std::setw(14) << "pytorch ms" << std::setw(20) << "glimpse speed-up\n";
  for (const auto& it : items) {
    const bench::PassTimes g = it.fn(w, o.min_seconds);
    json entry = {{"forward_ms", g.forward_ms}, {"backward_ms", g.backward_ms}};
    json t = o.torch ? run_torch_peer(o, blas, it.torch_name) : json(nullptr);
    if (!t.is_null()) {
      entry["torch_blas"] = t["blas"];
      if (const auto warn = peer_blas_mismatch(blas, t["blas"], "PyTorch"); !warn.empty()) std::cerr << warn << "\n";
      entry["torch_forward_ms"] = t["forward_ms"];
      entry["torch_backward_ms"] = t["backward_ms"];
      entry["torch_version"] = t["torch"];
      entry["forward_speedup"] = t["forward_ms"].get<double>() / g.forward_ms;
      entry["backward_speedup"] = t["backward_ms"].get<double>() / g.backward_ms;
    }
    if (std::string(it.key) == "decoder_block") {
      const double f = bench::decoder_block_forward_flops(w);
      entry["forward_gflops"] = f / (g.forward_ms * 1e-3) * 1e-9;
    }
    report[it.key] = entry;
    if (text) {
      for (int pass = 0; pass < 2; ++pass) {
        const char* name = pass ? "backward" : "forward";
        const double gm = pass ? g.backward_ms : g.forward_ms;
        out << std::left << std::setw(18) << (std::string(it.label) + " " + (pass ? "bwd" : "fwd"))
            << std::right << std::setprecision(2) << std::setw(14) << gm;
        if (!t.is_null()) {
          const double tm = t[std::string(name) + "_ms"].get<double>();
          out << std::setw(14) << tm << std::setw(16) << tm / gm << "x";
        } else {
          out << std::setw(14) << "-" << std::setw(17) << "-";
        }
        out << "\n";
      }
    }
  }
  if (text) {
    const double gf = report["decoder_block"]["forward_gflops"].get<double>();
    out << "\ndecoder block forward: " << std::setprecision(1) << gf
        << " GFLOP/s (" << std::setprecision(0) << 100.0 * gf / blas_total
        << "% of OpenBLAS at these shapes)\n";
  } else {
    out << report.dump(2) << "\n";
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Time GEMM, attention and a decoder block beside OpenBLAS and PyTorch 1.13");
  auto& w = opts->workload;
  cmd->add_option("--threads", opts->threads, "threads (default: GLIMPSE_THREADS or all cores)");
  CLI::Option* min_time =
      cmd->add_option("--min-time", opts->min_seconds,
                      "seconds spent timing each workload (default 1; 2 with --train)")
      ->check(CLI::Range(kBenchMinSecondsLowest, kBenchMinSecondsHighest));
  cmd->add_option("--d-model", w.config.d_model, "model width")->check(CLI::Range(1, 8192));
  cmd->add_option("--heads", w.config.num_heads, "attention heads")->check(CLI::Range(1, 256));
  cmd->add_option("--hidden", w.config.d_hidden, "FFN width")->check(CLI::Range(1, 65536));
  cmd->add_option("--batch", w.batch, "batch size")->check(CLI::Range(1, 4096));
  cmd->add_option("--len-t", w.len_t, "caption tokens")->check(CLI::Range(1, 4096));
  cmd->add_option("--len-m", w.len_m, "memory rows (patches)")->check(CLI::Range(1, 16384));
  cmd->add_flag("!--no-torch", opts->torch, "skip the PyTorch comparison");
  cmd->add_option("--python", opts->python, "python with torch 1.13 (Debian's /usr/bin/python3)");
  cmd->add_flag("!--no-onnx", opts->onnx, "with --caption: skip the ONNX Runtime comparison");
  cmd->add_option("--node", opts->node, "with --caption: Node.js for the ONNX Runtime peer (onnxruntime-node)");
  cmd->add_flag("--json", opts->as_json, "print one JSON object");
  // The child side of the BLAS kernel choice (app/bench_blas.h); not for users.
  cmd->add_flag("--blas-probe", opts->blas_probe, "time OpenBLAS sgemm and print its kernel as JSON")
      ->group("");
  cmd->add_flag("--caption", opts->caption,
                "time captioning (encode, decode, greedy and beam 3) instead of the engine");
  cmd->add_flag("--throughput", opts->throughput,
                "captions/s at batch 1 and --batch (default 32) beside ONNX Runtime at the same batch");
  add_precision_option(cmd);  // --throughput's inference matmuls (--caption times fp32 and bf16 itself)
  cmd->add_option("--model", opts->model, "with --caption or --train: a model file (default: random weights)");
  cmd->add_option("--words", opts->words, "with --caption: words per caption")->check(CLI::Range(1, 4096));
  cmd->add_flag("--train", opts->train,
                "time whole-model training steps (forward, loss, backward, clip, AdamW) beside "
                "PyTorch, with a dropout-free loss check");
  cmd->add_option("--config", opts->config,
                  "with --train: a model config JSON (fields not given keep their defaults)");
  cmd->add_option("--vocab", opts->vocab, "with --train: vocabulary size of the random-weight model")
      ->check(CLI::Range(5, 1 << 22));
  cmd->add_option("--caption-len", opts->caption_len, "with --train: caption tokens per sample")
      ->check(CLI::Range(2, 4096));
  cmd->add_option("--context-len", opts->context_len, "with --train: context tokens per sample")
      ->check(CLI::Range(0, 4096));
  cmd->callback([opts, min_time] {
    if (opts->blas_probe) return print_blas_probe(opts->threads > 0 ? opts->threads : 1, opts->min_seconds);
    if (opts->train) {
      TrainBenchOptions t;
      t.model = opts->model;
      t.config = opts->config;
      t.vocab = opts->vocab;
      t.batch = opts->workload.batch;
      t.caption_len = opts->caption_len;
      t.context_len = opts->context_len;
      t.min_seconds = min_time->count() > 0 ? opts->min_seconds : 2.0;
      t.threads = opts->threads > 0 ? opts->threads : init_threads();
      t.torch = opts->torch;
      t.python = opts->python;
      t.as_json = opts->as_json;
      set_threads(t.threads);
      return run_train_bench(t);
    }
    if (opts->throughput) {
      ThroughputBenchOptions t;
      t.model = opts->model;
      t.batch = static_cast<int>(opts->workload.batch);
      t.words = opts->words;
      t.min_seconds = opts->min_seconds;
      t.threads = opts->threads > 0 ? opts->threads : 1;
      t.python = opts->python;
      t.onnx = opts->onnx;
      t.node = opts->node;
      t.as_json = opts->as_json;
      set_threads(t.threads);
      return run_throughput_bench(t);
    }
    if (!opts->caption) return run_bench(*opts);
    CaptionBenchOptions c;
    c.model = opts->model;
    c.words = opts->words;
    c.min_seconds = opts->min_seconds;
    c.threads = opts->threads > 0 ? opts->threads : 1;
    c.torch = opts->torch;
    c.python = opts->python;
    c.onnx = opts->onnx;
    c.node = opts->node;
    c.as_json = opts->as_json;
    set_threads(c.threads);
    run_caption_bench(c);
  });
}

}  // namespace glimpse::app
