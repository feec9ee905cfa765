#include "bench_throughput.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "bench_peer.h"
#include "glimpse/core/error.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/core/random.h"
#include "glimpse/core/safetensors.h"
#include "glimpse/model/decoding.h"
#include "workloads.h"

namespace glimpse::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// B images with their own context tokens: row b's pixels are the next N*pd uniform values of
// one seed-7 stream (row 0 = `bench --caption`'s image), its context ids 4 + (t + b) mod (V - 4).
struct BatchInput {
  int64_t rows = 0, patches_per_row = 0, patch_dim = 0, context_len = 0;
  std::vector<float> pixels;     // [rows * N * pd]
  std::vector<int32_t> context;  // [rows * Lc]

  Tensor patches(int64_t b) const {
    Tensor t({b * patches_per_row, patch_dim});
    std::copy_n(pixels.begin(), t.size(), t.data());
    return t;
  }
  // "4,5,6,7;5,6,7,8;..." for the first b rows.
  std::string context_arg(int64_t b) const {
    std::string s;
    for (int64_t r = 0; r < b; ++r) {
      if (r) s += ';';
      for (int64_t t = 0; t < context_len; ++t) {
        if (t) s += ',';
        s += std::to_string(context[static_cast<size_t>(r * context_len + t)]);
      }
    }
    return s;
  }
};

BatchInput make_batch_input(const model::ModelConfig& cfg, int64_t rows, int context_tokens) {
  BatchInput in;
  in.rows = rows;
  in.patches_per_row = cfg.image.num_patches();
  in.patch_dim = cfg.image.patch_dim();
  in.context_len = std::min<int64_t>({context_tokens, cfg.max_context_len, cfg.vocab_size - 4});
  Rng rng(7);
  in.pixels.resize(static_cast<size_t>(rows * in.patches_per_row * in.patch_dim));
  for (float& v : in.pixels) v = rng.uniform(-1.0f, 1.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t t = 0; t < in.context_len; ++t)
      in.context.push_back(static_cast<int32_t>(4 + (t + r) % (cfg.vocab_size - 4)));
  return in;
}

// The first b rows of `in` as the model's inputs (the tensors live in the struct).
struct GlimpseBatch {
  Tensor patches;
  std::vector<uint8_t> padding;
  model::ModelInputs inputs;

  GlimpseBatch(const BatchInput& in, int64_t b)
      : patches(in.patches(b)), padding(static_cast<size_t>(b * in.context_len), 0) {
    inputs.batch = b;
    inputs.patches = &patches;
    inputs.context_ids = in.context.data();
    inputs.context_padding = padding.data();
    inputs.context_len = in.context_len;
  }
};

model::DecodeOptions forced_greedy(int words) {
  model::DecodeOptions o;
  o.min_len = o.max_len = words;
  o.keep_records = true;  // as `glimpse caption` decodes (every step's attention kept)
  return o;
}

// Glimpse's greedy captions of a batch: per row, the tokens (<eos> included) and their
// log-probabilities.
struct BatchCaptions {
  std::vector<std::vector<int32_t>> tokens;
  std::vector<std::vector<float>> logprobs;

  std::string tokens_arg() const {
    std::string s;
    for (size_t r = 0; r < tokens.size(); ++r) {
      if (r) s += ';';
      for (size_t i = 0; i < tokens[r].size(); ++i) {
        if (i) s += ',';
        s += std::to_string(tokens[r][i]);  // (not "," + to_string: GCC 12 warns falsely, -Wrestrict)
      }
    }
    return s;
  }
};

BatchCaptions glimpse_captions(model::CaptionModel& m, const GlimpseBatch& batch, int words) {
  model::EncodedMemories enc;
  m.encode(batch.inputs, enc);
  BatchCaptions out;
  for (const auto& c : model::greedy_decode(m, enc, forced_greedy(words))) {
    out.tokens.emplace_back();
    out.logprobs.emplace_back();
    for (const auto& step : c.steps) {
      out.tokens.back().push_back(step.token);
      out.logprobs.back().push_back(step.logprob);
    }
  }
  return out;
}

// Largest |glimpse - peer| over every row's check caption; NaN when the peer reported other
// shapes. The peer's check_logprobs is one flat array at batch 1, one array per row above.
double max_logprob_difference(const BatchCaptions& g, const json& peer) {
  if (!peer.contains("check_logprobs")) return NAN;
  json rows = peer["check_logprobs"];
  if (g.logprobs.size() == 1 && rows.is_array() && (rows.empty() || !rows[0].is_array())) rows = json::array({rows});
  if (!rows.is_array() || rows.size() != g.logprobs.size()) return NAN;
  double worst = 0;
  for (size_t r = 0; r < g.logprobs.size(); ++r) {
    if (!rows[r].is_array() || rows[r].size() != g.logprobs[r].size()) return NAN;
    for (size_t i = 0; i < g.logprobs[r].size(); ++i)
      worst = std::max(worst, std::fabs(g.logprobs[r][i] - rows[r][i].get<double>()));
  }
  return worst;
}

struct BatchRow {
  int64_t batch = 0;
  double glimpse_ms = 0;     // encode + greedy decode of one batch
  BatchCaptions check;       // glimpse's captions of the batch
  json onnx = nullptr;       // the peer's report at this batch
  double max_diff = NAN;     // |glimpse - onnxruntime| over the check captions
};

}  // namespace

void run_throughput_bench(const ThroughputBenchOptions& o) {
  const fs::path temp_dir = fs::temp_directory_path() / ("glimpse-throughput-" + std::to_string(::getpid()));
  const BenchModel bench_model = load_bench_model(o.model, temp_dir);
  const std::unique_ptr<model::CaptionModel>& model = bench_model.model;
  const std::string& path = bench_model.path;
  // What `glimpse caption` runs: the weights packed once, in the precision --precision /
  // $GLIMPSE_PRECISION asks for (fp32 unless told otherwise).
  const Precision precision = resolve_precision(default_precision_request());
  model->prepare_inference(precision);
  const double tolerance = precision == Precision::Bf16 ? kBf16PeerLogprobTolerance : kPeerLogprobTolerance;
  const model::ModelConfig& cfg = model->config();
  const int words = std::max(1, std::min<int>(o.words, static_cast<int>(cfg.max_caption_len) - 1));
  const int64_t big = std::max(1, o.batch);
  std::vector<int64_t> sizes = {1};
  if (big > 1) sizes.push_back(big);

  const BatchInput input = make_batch_input(cfg, big, o.context_tokens);
  std::vector<BatchRow> rows;
  std::vector<std::unique_ptr<GlimpseBatch>> batches;
  std::vector<std::function<void()>> measures;
  const model::DecodeOptions greedy = forced_greedy(words);
  for (int64_t b : sizes) {
    batches.push_back(std::make_unique<GlimpseBatch>(input, b));
    BatchRow row;
    row.batch = b;
    row.check = glimpse_captions(*model, *batches.back(), words);
    rows.push_back(std::move(row));
    const GlimpseBatch* gb = batches.back().get();
    measures.emplace_back([&, gb] {
      model::EncodedMemories enc;
      model->encode(gb->inputs, enc);
      model::greedy_decode(*model, enc, greedy);
    });
  }
  const std::vector<double> seconds = bench::median_seconds_of_rounds(measures, o.min_seconds);
  for (size_t i = 0; i < rows.size(); ++i) rows[i].glimpse_ms = 1e3 * seconds[i];
  // Row 0 of the big batch against the same image alone: batching must not change a caption.
  double batch_vs_single = 0;
  bool same_tokens = rows.front().check.tokens[0] == rows.back().check.tokens[0];
  for (size_t i = 0; i < rows.front().check.logprobs[0].size() && same_tokens; ++i)
    batch_vs_single = std::max<double>(
        batch_vs_single, std::fabs(rows.front().check.logprobs[0][i] - rows.back().check.logprobs[0][i]));

  std::optional<OnnxPeer> onnx_peer;
  if (o.onnx) onnx_peer = prepare_onnx_peer(o.python, o.node, path, o.context_tokens);
  if (onnx_peer) {
    for (auto& row : rows) {
      const std::string patches_path = (temp_dir / ("patches-" + std::to_string(row.batch) + ".safetensors")).string();
      save_safetensors(patches_path, {{"patches", input.patches(row.batch)}});
      std::ostringstream args;
      args << "--batch " << row.batch << " --threads " << o.threads << " --min-seconds " << o.min_seconds
           << " --max-len " << words << " --min-len " << words << " --patches " << shell_quote(patches_path)
           << " --context-ids " << shell_quote(input.context_arg(row.batch)) << " --check-tokens "
           << shell_quote(row.check.tokens_arg());
      row.onnx = run_peer(onnx_peer->run(args.str()));
      row.max_diff = max_logprob_difference(row.check, row.onnx);
    }
  }
  fs::remove_all(temp_dir);

  json report = {{"model", o.model.empty() ? "default config, random weights" : o.model},
                 {"fusion", fusion_name(cfg.fusion)},
                 {"precision", precision_name(precision)},
                 {"patches", model->num_patches()},
                 {"words", words},
                 {"decoding", "greedy, every caption forced to " + std::to_string(words) + " words and <eos>"},
                 {"context_tokens", input.context_len},
                 {"threads", o.threads},
                 {"glimpse_batch_vs_single", {{"same_tokens", same_tokens},
                                              {"max_abs_logprob_difference", batch_vs_single}}},
                 {"batches", json::array()}};
  for (const auto& row : rows) {
    json r = {{"batch", row.batch},
              {"glimpse", {{"ms_per_batch", row.glimpse_ms},
                           {"captions_per_second", 1e3 * static_cast<double>(row.batch) / row.glimpse_ms}}}};
    if (!row.onnx.is_null()) {
      r["onnxruntime"] = row.onnx;
      r["onnxruntime"]["ms_per_batch"] = row.onnx["greedy_caption_ms"];
      r["onnxruntime"]["ratio"] = row.onnx["greedy_caption_ms"].get<double>() / row.glimpse_ms;
      r["onnxruntime"]["logprob_check"] = logprob_check(row.max_diff, tolerance);
    }
    report["batches"].push_back(r);
  }
  if (onnx_peer) report["onnx_export"] = onnx_peer->export_summary();
  if (o.as_json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  const bool onnx = std::any_of(rows.begin(), rows.end(), [](const BatchRow& r) { return !r.onnx.is_null(); });
  std::ostream& out = std::cout;
  out << std::fixed << std::setprecision(2) << "glimpse bench --throughput: " << report["model"].get<std::string>()
      << ", fusion " << fusion_name(cfg.fusion) << ", " << precision_name(precision) << ", " << model->num_patches()
      << " patches, greedy, "
      << words << " forced words, " << input.context_len << " context tokens per image, " << o.threads
      << " thread(s)\n\n"
      << std::setw(6) << "batch" << std::setw(18) << "glimpse ms/batch" << std::setw(12) << "captions/s";
  if (onnx) out << std::setw(22) << "onnxruntime ms/batch" << std::setw(12) << "captions/s" << std::setw(10) << "ratio";
  out << "\n";
  for (const auto& row : rows) {
    out << std::setw(6) << row.batch << std::setw(18) << row.glimpse_ms << std::setw(12)
        << 1e3 * static_cast<double>(row.batch) / row.glimpse_ms;
    if (!row.onnx.is_null()) {
      const double ms = row.onnx["greedy_caption_ms"].get<double>();
      out << std::setw(22) << ms << std::setw(12) << 1e3 * static_cast<double>(row.batch) / ms << std::setw(9)
          << ms / row.glimpse_ms << "x";
    } else if (onnx) {
      out << std::setw(22) << "-" << std::setw(12) << "-" << std::setw(10) << "-";
    }
    out << "\n";
  }
  out << "(ms/batch: encode + greedy decode of the whole batch; ratio = onnxruntime ms / glimpse ms: "
         "above 1, glimpse is faster)\n";
  if (big > 1)
    out << "glimpse, image 0 at batch " << big << " against batch 1: "
        << (same_tokens ? "same caption" : "DIFFERENT caption") << std::scientific << std::setprecision(1)
        << ", max |log-prob difference| " << batch_vs_single << std::fixed << std::setprecision(2) << "\n";
  for (const auto& row : rows) {
    if (row.onnx.is_null()) continue;
    out << "log-prob check, onnxruntime, batch " << row.batch << ": ";
    if (std::isnan(row.max_diff))
      out << "no comparable log-probabilities (DISAGREE)\n";
    else
      out << std::scientific << std::setprecision(1) << "max |glimpse - onnxruntime| = " << row.max_diff
          << " over " << row.batch << " x " << row.check.logprobs[0].size() << " tokens (tolerance "
          << tolerance << (precision == Precision::Bf16 ? ", bf16 against fp32" : "")
          << "): " << (row.max_diff <= tolerance ? "agree" : "DISAGREE")
          << std::fixed << std::setprecision(2) << "\n";
  }
  if (onnx) {
    const json& x = std::find_if(rows.begin(), rows.end(), [](const BatchRow& r) { return !r.onnx.is_null(); })->onnx;
    out << "onnxruntime: " << x["decoding"].get<std::string>() << ", batch axis dynamic; onnxruntime-node "
        << x["onnxruntime"].get<std::string>() << " on node " << x["node"].get<std::string>() << ", opset "
        << x["opset"] << ", " << x["threads"] << " intra-op thread(s), 1 inter-op, spinning "
        << x["spinning"].get<std::string>() << "; export "
        << (onnx_peer->exported["cached"].get<bool>() ? "cached in " : "written to ")
        << onnx_peer->exported["dir"].get<std::string>() << "\n";
  }
}

}  // namespace glimpse::app
