#include "bench_caption.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "bench_blas.h"
#include "bench_peer.h"
#include "caption_workloads.h"
#include "glimpse/core/error.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/core/random.h"
#include "glimpse/core/safetensors.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The image all three sides caption for the log-probability check (and the peers time):
// uniform pixels in [-1, 1] (seed 7) and context tokens 4, 5, 6, ...
struct PeerInput {
  Tensor patches;                 // [N, 3*P*P]
  std::vector<int32_t> context;   // ids
  std::string context_arg;        // "4,5,6,7"
};

PeerInput make_peer_input(const model::ModelConfig& cfg, int context_tokens) {
  PeerInput in;
  Rng rng(7);
  in.patches = Tensor({cfg.image.num_patches(), cfg.image.patch_dim()});
  for (int64_t i = 0; i < in.patches.size(); ++i) in.patches[i] = rng.uniform(-1.0f, 1.0f);
  const int64_t n = std::min<int64_t>({context_tokens, cfg.max_context_len, cfg.vocab_size - 4});
  for (int64_t t = 0; t < n; ++t) {
    in.context.push_back(static_cast<int32_t>(4 + t));
    if (t) in.context_arg += ',';
    in.context_arg += std::to_string(4 + t);
  }
  return in;
}

// Glimpse's greedy caption of `in`, forced to `words` words, and each step's log-probability;
// the tokens end with <eos>.
struct CheckCaption {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::string tokens_arg;  // "5,9,...,2"
};

CheckCaption glimpse_check_caption(model::CaptionModel& m, const PeerInput& in, int words) {
  const std::vector<uint8_t> padding(in.context.size(), 0);
  model::ModelInputs mi;
  mi.batch = 1;
  mi.patches = &in.patches;
  mi.context_ids = in.context.data();
  mi.context_padding = padding.data();
  mi.context_len = static_cast<int64_t>(in.context.size());
  model::EncodedMemories enc;
  m.encode(mi, enc);
  model::DecodeOptions o;
  o.min_len = o.max_len = words;
  const auto caption = model::greedy_decode(m, enc, o).at(0);
  CheckCaption c;
  for (const auto& step : caption.steps) {
    c.tokens.push_back(step.token);
    c.logprobs.push_back(step.logprob);
    if (!c.tokens_arg.empty()) c.tokens_arg += ',';
    c.tokens_arg += std::to_string(step.token);
  }
  return c;
}

// Largest |glimpse - peer| over the check caption; NaN when the peer reported another length.
double max_logprob_difference(const CheckCaption& g, const json& peer) {
  if (!peer.contains("check_logprobs") || peer["check_logprobs"].size() != g.logprobs.size()) return NAN;
  double worst = 0;
  for (size_t i = 0; i < g.logprobs.size(); ++i)
    worst = std::max(worst, std::fabs(g.logprobs[i] - peer["check_logprobs"][i].get<double>()));
  return worst;
}

// The ONNX Runtime peer: export (or reuse the cached export), then time it. Null JSON, after
// one line saying why, when node, onnxruntime-node or the export is missing or fails.
json run_onnx_peer(const CaptionBenchOptions& o, const std::string& model_path, const std::string& peer_args) {
  const std::optional<OnnxPeer> onnx = prepare_onnx_peer(o.python, o.node, model_path, o.context_tokens);
  if (!onnx) return nullptr;
  json t = run_peer(onnx->run(peer_args));
  if (!t.is_null()) t["export"] = onnx->export_summary();
  return t;
}

}  // namespace

void run_caption_bench(const CaptionBenchOptions& o) {
  fs::path temp_dir = fs::temp_directory_path() / ("glimpse-bench-" + std::to_string(::getpid()));
  const BenchModel bench_model = load_bench_model(o.model, temp_dir);
  const std::unique_ptr<model::CaptionModel>& model = bench_model.model;
  const std::string& path = bench_model.path;
  const model::ModelConfig& cfg = model->config();
  const int words = std::max(1, std::min<int>(o.words, static_cast<int>(cfg.max_caption_len) - 1));

  // The unpacked layers first (the engine's own forward, for reference), then the default
  // fp32 pack that `glimpse caption` and `eval` use, then bf16 where the CPU has it.
  const bench::CaptionTimes g_unpacked = bench::time_captioning(*model, words, o.context_tokens, o.min_seconds);
  const bool has_bf16 = cpu_has_bf16();
  bench::CaptionTimes g_bf16;
  Bf16Weights bf16_image_weights = Bf16Weights::Rounded;
  CheckCaption bf16_caption;
  const PeerInput bf16_input = make_peer_input(cfg, o.context_tokens);
  if (has_bf16) {
    model->prepare_inference(Precision::Bf16);
    bf16_image_weights = model->image_encoder_bf16_weights();
    g_bf16 = bench::time_captioning(*model, words, o.context_tokens, o.min_seconds);
    bf16_caption = glimpse_check_caption(*model, bf16_input, words);
  }
  model->prepare_inference(Precision::Fp32);
  const bench::CaptionTimes g = bench::time_captioning(*model, words, o.context_tokens, o.min_seconds);
  // The implementation oneDNN picks at the encoder's widest projection, batch 1.
  const auto impl_of = [&](Precision p, Bf16Weights weights) {
    const std::vector<float> w(static_cast<size_t>(cfg.d_hidden * cfg.d_model), 0.0f);
    return PackedLinear(w.data(), nullptr, cfg.d_hidden, cfg.d_model, p, LinearEpilogue::None, weights)
        .implementation(model->num_patches());
  };
  const std::string fp32_impl = impl_of(Precision::Fp32, Bf16Weights::Rounded);
  const std::string bf16_impl = has_bf16 ? impl_of(Precision::Bf16, bf16_image_weights) : std::string();
  // And at one row, a batch-1 decode step's matmuls.
  const std::string bf16_step_impl = [&] {
    if (!has_bf16) return std::string();
    const std::vector<float> w(static_cast<size_t>(cfg.d_model * cfg.d_model), 0.0f);
    return PackedLinear(w.data(), nullptr, cfg.d_model, cfg.d_model, Precision::Bf16).implementation(1);
  }();
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

  // Both peers caption the same image as the check, forced to the same words, with glimpse's
  // caption teacher-forced for the log-probability comparison.
  const PeerInput input = make_peer_input(cfg, o.context_tokens);
  const CheckCaption check_caption = glimpse_check_caption(*model, input, words);
  const std::string patches_path = (temp_dir / "patches.safetensors").string();
  save_safetensors(patches_path, {{"patches", input.patches}});
  std::ostringstream peer_args;
  peer_args << "--threads " << o.threads << " --min-seconds " << o.min_seconds << " --max-len " << words
            << " --min-len " << words << " --patches " << shell_quote(patches_path) << " --context-ids "
            << input.context_arg << " --check-tokens " << check_caption.tokens_arg;

  const BlasKernelChoice blas = choose_blas_kernel(o.threads, o.min_seconds);
  json t = nullptr;
  if (o.torch)
    t = run_peer(torch_peer(o.python, "bench/torch_caption_peer.py",
                            "--model " + shell_quote(path) + " " + peer_args.str() + " --beam 3",
                            peer_blas_environment(blas)));
  json x = o.onnx ? run_onnx_peer(o, path, peer_args.str()) : json(nullptr);
  fs::remove_all(temp_dir);

  json report = {{"model", o.model.empty() ? "default config, random weights" : o.model},
                 {"fusion", fusion_name(cfg.fusion)},
                 {"patches", model->num_patches()},
                 {"words", words},
                 {"context_tokens", o.context_tokens},
                 {"threads", o.threads},
                 {"blas", to_json(blas)},
                 {"glimpse", {{"encode_ms", g.encode_ms},
                              {"per_token_ms", g.per_token_ms},
                              {"greedy_caption_ms", g.greedy_ms},
                              {"beam3_caption_ms", g.beam3_ms},
                              {"check_tokens", check_caption.tokens},
                              {"check_logprobs", check_caption.logprobs},
                              {"precision", "fp32"},
                              {"matmul_impl", fp32_impl}}},
                 {"onednn_isa", onednn_cpu_isa_name()},
                 {"glimpse_unpacked", {{"encode_ms", g_unpacked.encode_ms},
                                       {"per_token_ms", g_unpacked.per_token_ms},
                                       {"greedy_caption_ms", g_unpacked.greedy_ms},
                                       {"beam3_caption_ms", g_unpacked.beam3_ms}}}};
  if (has_bf16) {
    double worst = 0;
    const bool same = bf16_caption.tokens == check_caption.tokens;
    for (size_t i = 0; same && i < check_caption.logprobs.size(); ++i)
      worst = std::max(worst, std::fabs(static_cast<double>(bf16_caption.logprobs[i] - check_caption.logprobs[i])));
    report["glimpse_bf16"] = {{"encode_ms", g_bf16.encode_ms},
                              {"per_token_ms", g_bf16.per_token_ms},
                              {"greedy_caption_ms", g_bf16.greedy_ms},
                              {"beam3_caption_ms", g_bf16.beam3_ms},
                              {"matmul_impl", bf16_impl},
                              {"image_encoder_weights", bf16_weights_name(bf16_image_weights)},
                              {"step_matmul_impl", bf16_step_impl},
                              {"same_tokens_as_fp32", same},
                              {"max_abs_logprob_difference_to_fp32", same ? json(worst) : json()}};
  } else {
    report["glimpse_bf16"] = {{"skipped", "the CPU has neither AVX512-BF16 nor AMX-BF16 (oneDNN: " +
                                              onednn_cpu_isa_name() + ")"}};
  }
  json pos = json::array(), pat = json::array();
  for (const auto& s : by_pos) pos.push_back({{"position", s.position}, {"ms", s.ms}});
  for (const auto& s : by_patches) pat.push_back({{"patches", s.patches}, {"ms", s.ms}});
  report["glimpse"]["step_ms_by_position"] = pos;
  report["glimpse"]["step_ms_by_patches"] = pat;
  // A peer's speed-ups (peer ms / glimpse ms) and its log-probability check.
  auto compare = [&](const char* key, const json& peer, bool has_beam) {
    json s = {{"encode", peer["encode_ms"].get<double>() / g.encode_ms},
              {"per_token", peer["per_token_decode_ms"].get<double>() / g.per_token_ms},
              {"greedy_caption", peer["greedy_caption_ms"].get<double>() / g.greedy_ms}};
    if (has_beam) s["beam3_caption"] = peer["beam_caption_ms"].get<double>() / g.beam3_ms;
    const double diff = max_logprob_difference(check_caption, peer);
    report[key] = peer;
    report[key]["speedup"] = s;
    report[key]["logprob_check"] = logprob_check(diff);
  };
  if (!t.is_null()) {
    compare("pytorch", t, true);
    report["speedup"] = report["pytorch"]["speedup"];  // (the key of earlier versions)
  }
  if (!x.is_null()) compare("onnxruntime", x, false);
  if (!x.is_null() && has_bf16) {  // the bf16 pack against the same ONNX Runtime run
    json& b = report["glimpse_bf16"];
    b["onnxruntime_speedup"] = {
        {"encode", x["encode_ms"].get<double>() / b["encode_ms"].get<double>()},
        {"per_token", x["per_token_decode_ms"].get<double>() / b["per_token_ms"].get<double>()},
        {"greedy_caption", x["greedy_caption_ms"].get<double>() / b["greedy_caption_ms"].get<double>()}};
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
      << std::left << std::setw(22) << "" << std::right << std::setw(12) << "glimpse ms";
  if (!t.is_null()) out << std::setw(14) << "pytorch ms" << std::setw(10) << "ratio";
  if (!x.is_null()) out << std::setw(18) << "onnxruntime ms" << std::setw(10) << "ratio";
  out << "\n";
  auto line = [&](const char* name, double gm, const char* peer_key, const char* speedup_key) {
    out << std::left << std::setw(22) << name << std::right << std::setw(12) << gm;
    if (!t.is_null())
      out << std::setw(14) << t[peer_key].get<double>() << std::setw(9)
          << report["pytorch"]["speedup"][speedup_key].get<double>() << "x";
    if (!x.is_null()) {
      if (x.contains(peer_key))
        out << std::setw(18) << x[peer_key].get<double>() << std::setw(9)
            << report["onnxruntime"]["speedup"][speedup_key].get<double>() << "x";
      else
        out << std::setw(18) << "-" << std::setw(10) << "-";
    }
    out << "\n";
  };
  line("encode", g.encode_ms, "encode_ms", "encode");
  line("decode, per token", g.per_token_ms, "per_token_decode_ms", "per_token");
  line("caption, greedy", g.greedy_ms, "greedy_caption_ms", "greedy_caption");
  line("caption, beam 3", g.beam3_ms, "beam_caption_ms", "beam3_caption");
  out << "(ratio = peer ms / glimpse ms: above 1, glimpse is faster)\n";
  out << "glimpse is the fp32 pack (oneDNN matmul " << fp32_impl << ", CPU ISA " << onednn_cpu_isa_name()
      << "); other precisions, ms (encode / per token / greedy / beam 3):\n";
  auto variant = [&](const char* name, const json& v) {
    out << "  " << std::left << std::setw(26) << name << std::right << v["encode_ms"].get<double>() << " / "
        << v["per_token_ms"].get<double>() << " / " << v["greedy_caption_ms"].get<double>() << " / "
        << v["beam3_caption_ms"].get<double>();
  };
  variant("fp32, unpacked layers", report["glimpse_unpacked"]);
  out << "\n";
  if (has_bf16) {
    variant("bf16 pack", report["glimpse_bf16"]);
    const json& b = report["glimpse_bf16"];
    out << "   (image encoder " << bf16_impl << ", decode step " << b["step_matmul_impl"].get<std::string>()
        << "; caption "
        << (b["same_tokens_as_fp32"].get<bool>() ? "same as fp32" : "DIFFERS from fp32");
    if (!b["max_abs_logprob_difference_to_fp32"].is_null())
      out << ", max |log-prob - fp32| " << std::scientific << std::setprecision(1)
          << b["max_abs_logprob_difference_to_fp32"].get<double>() << std::fixed << std::setprecision(2);
    out << ")\n";
    if (b.contains("onnxruntime_speedup")) {
      const json& r = b["onnxruntime_speedup"];
      out << "  bf16 against ONNX Runtime: encode " << r["encode"].get<double>() << "x, per token "
          << r["per_token"].get<double>() << "x, caption, greedy " << r["greedy_caption"].get<double>() << "x\n";
    }
  } else {
    out << "  bf16 pack: skipped, " << report["glimpse_bf16"]["skipped"].get<std::string>() << "\n";
  }
  out << "\none cached decode step against its position (glimpse):";
  for (const auto& s : by_pos) out << "  t=" << s.position << ": " << s.ms << " ms";
  out << "\none cached decode step against the patch count (glimpse, t=8):";
  for (const auto& s : by_patches) out << "  " << s.patches << ": " << s.ms << " ms";
  out << "\n\n";
  auto check_line = [&](const char* name, const char* key) {
    const auto& c = report[key]["logprob_check"];
    out << "log-prob check, " << name << ": ";
    if (c["max_abs_difference"].is_null())
      out << "no comparable log-probabilities (DISAGREE)\n";
    else
      out << std::scientific << std::setprecision(1) << "max |glimpse - " << name
          << "| = " << c["max_abs_difference"].get<double>() << " over " << check_caption.logprobs.size()
          << " tokens (tolerance " << kPeerLogprobTolerance << "): "
          << (c["agree"].get<bool>() ? "agree" : "DISAGREE") << std::fixed << std::setprecision(2) << "\n";
  };
  if (!t.is_null()) {
    out << "pytorch: " << t["decoding"].get<std::string>() << "; torch " << t["torch"].get<std::string>()
        << ", " << t["threads"] << " thread(s)\n"
        << peer_blas_line(blas) << "\n";
    if (const auto warn = peer_blas_mismatch(blas, t["blas"], "PyTorch"); !warn.empty()) out << warn << "\n";
    check_line("pytorch", "pytorch");
  }
  if (!x.is_null()) {
    out << "onnxruntime: " << x["decoding"].get<std::string>() << "; onnxruntime-node "
        << x["onnxruntime"].get<std::string>() << " on node " << x["node"].get<std::string>() << ", opset "
        << x["opset"] << ", " << x["threads"] << " intra-op thread(s), 1 inter-op, spinning "
        << x["spinning"].get<std::string>()
        << "; greedy only (bench/onnx_caption_peer.js has no beam search); export "
        << (x["export"]["cached"].get<bool>() ? "cached in " : "written to ")
        << x["export"]["dir"].get<std::string>() << "\n";
    check_line("onnxruntime", "onnxruntime");
  }
}

}  // namespace glimpse::app
