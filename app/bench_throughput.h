// `glimpse bench --throughput`: captions per second when images are captioned in batches, at
// batch 1 and at --batch B (default 32), beside ONNX Runtime running the same batch through the
// exported graphs (bench/onnx_export.py's dynamic batch axis, bench/onnx_caption_peer.js
// --batch B), with a check that ONNX Runtime computes glimpse's log-probabilities at every batch.
//
// Protocol: B distinct images (uniform pixels in [-1, 1], seed 7; row 0 is `bench --caption`'s
// image), each with its own 4 context tokens; greedy decoding with every caption forced to
// --words words (12) and then <eos>, all rows in lock-step. One measure = encode + greedy
// decode of one batch; captions/s = batch / median seconds per batch, the medians of alternating
// rounds (glimpse: every batch size in each round) lasting at least --min-time per measure.
#pragma once

#include <string>

namespace glimpse::app {

struct ThroughputBenchOptions {
  std::string model;        // checkpoint; empty = the default config with random weights
  int batch = 32;           // the large batch (batch 1 is always measured too)
  int words = 12;           // every caption is forced to this many words on every side
  int context_tokens = 4;
  double min_seconds = 1.0;
  int threads = 1;
  std::string python = "/usr/bin/python3";  // runs the ONNX export
  bool onnx = true;         // the ONNX Runtime peer (needs node, onnxruntime-node and python)
  std::string node = "node";
  bool as_json = false;
};

void run_throughput_bench(const ThroughputBenchOptions& options);

}  // namespace glimpse::app
