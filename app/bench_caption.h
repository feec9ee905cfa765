// `glimpse bench --caption`: captioning speed (encode, per-token decode, greedy and beam-3
// captions, step cost against caption length and patch count) beside two peers on the same
// weights, in the same run: PyTorch 1.13 eager (bench/torch_caption_peer.py) and ONNX Runtime
// (the model exported by bench/onnx_export.py, run by bench/onnx_caption_peer.js through npm's
// onnxruntime-node), with a check that both compute glimpse's log-probabilities.
#pragma once

#include <string>

namespace glimpse::app {

struct CaptionBenchOptions {
  std::string model;        // checkpoint; empty = the default config with random weights
  int words = 12;           // every caption is forced to this many words on every side
  int context_tokens = 4;
  double min_seconds = 1.0;
  int threads = 1;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  bool onnx = true;         // the ONNX Runtime peer (needs node, onnxruntime-node and python)
  std::string node = "node";
  bool as_json = false;
};

void run_caption_bench(const CaptionBenchOptions& options);

}  // namespace glimpse::app
