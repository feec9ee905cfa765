// What the bench commands share around their peer programs (the PyTorch scripts, the ONNX
// Runtime script): running one with its own environment and reading the JSON it prints, the
// model checkpoint they load, the check of their log-probabilities against glimpse's, and the
// ONNX export that `bench --caption` and `bench --throughput` both time ONNX Runtime on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "glimpse/model/caption_model.h"

namespace glimpse::app {

// NAME=value pairs set for a child process alone; an empty value unsets NAME.
using ChildEnvironment = std::vector<std::pair<std::string, std::string>>;

// One peer program: `interpreter script arguments` with `environment`.
struct PeerRun {
  std::string peer;          // what the skip line calls it: "PyTorch", "ONNX Runtime"
  std::string interpreter;   // e.g. /usr/bin/python3, node
  std::string script;        // shipped file, e.g. "bench/torch_peer.py" (find_shipped_file)
  std::string arguments;     // already shell-quoted
  ChildEnvironment environment;
  std::string hint;          // what to check when it fails, e.g. "is python3-torch installed?"
};

// Runs the peer and parses what it prints as JSON. Null JSON, after one line on stderr saying
// why, when the script is missing, cannot start, exits non-zero or prints no JSON; callers then
// skip that comparison.
nlohmann::json run_peer(const PeerRun& run);

// A PyTorch peer script run with `python`.
PeerRun torch_peer(const std::string& python, const std::string& script, const std::string& arguments,
                   const ChildEnvironment& environment);

// Largest |glimpse - peer| log-probability accepted on glimpse's captions, teacher-forced.
// float32 engines that order their sums differently agree to ~1e-5 here; a wrong weight, mask
// or cache row moves log-probabilities by 1e-1 or more.
inline constexpr double kPeerLogprobTolerance = 1e-3;
// The same for glimpse's bf16 pack against an fp32 peer: bf16 rounds every matmul's input to 8
// significant bits, which moved log-probabilities by up to 1.3e-2 over 32 x 13 tokens of the
// shipped concat (measured on the Intel Xeon, 2026-12-02); a wrong weight still moves them
// by 1e-1 or more.
inline constexpr double kBf16PeerLogprobTolerance = 5e-2;

// A report's log-probability check of a peer: max_abs_difference (null when NaN: the peer
// reported nothing comparable), tolerance and agree.
nlohmann::json logprob_check(double max_abs_difference, double tolerance = kPeerLogprobTolerance);

// The ONNX Runtime peer: bench/onnx_caption_peer.js run by `node` over a model exported by
// bench/onnx_export.py.
struct OnnxPeer {
  std::string node;
  std::filesystem::path onnxruntime_node;  // the npm package the script loads
  nlohmann::json exported;                 // onnx_export.py's report: dir, cached, export_seconds, meta

  // The script over the export with `arguments` (already shell-quoted), intra-op spinning on.
  PeerRun run(const std::string& arguments) const;
  // What a report says of the export: dir, cached, seconds, opset.
  nlohmann::json export_summary() const;
};

// Finds node and onnxruntime-node, then exports `model_path` with `python` for `context_len`
// context tokens, or reuses the export cached per model hash under $XDG_CACHE_HOME/glimpse/onnx
// (~/.cache/glimpse/onnx). Nothing, after one line on stderr saying why the peer is skipped,
// when node, onnxruntime-node or the export is missing or fails.
std::optional<OnnxPeer> prepare_onnx_peer(const std::string& python, const std::string& node,
                                          const std::string& model_path, int context_len);

// `text` in single quotes for /bin/sh.
std::string shell_quote(const std::string& text);
// `env -u A B=value ...` prefix for a shell command line; empty for no settings.
std::string environment_prefix(const ChildEnvironment& environment);
// Runs `command` with /bin/sh and returns its standard output, or nothing if it could not start
// or exited non-zero.
std::optional<std::string> capture_output(const std::string& command);

// A vocabulary of `size` tokens for a random-weight model: the specials and w4, w5, ...
std::string placeholder_vocabulary(int64_t size);

// The model a captioning bench times, and the checkpoint its peers load.
struct BenchModel {
  std::unique_ptr<model::CaptionModel> model;
  std::string path;
};

// Creates the bench's scratch folder `temp_dir` and loads the checkpoint at `model_path`; when
// that is empty, the default configuration with random weights (speed does not depend on the
// weights), saved as <temp_dir>/random-default.safetensors.
BenchModel load_bench_model(const std::string& model_path, const std::filesystem::path& temp_dir);

}  // namespace glimpse::app
