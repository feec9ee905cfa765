// `glimpse bench --caption`: captioning speed (encode, per-token decode, greedy and beam-3
// captions, step cost against caption length and patch count) beside PyTorch 1.13 eager on the
// same weights, in the same run.
#pragma once

#include <string>

namespace glimpse::app {

struct CaptionBenchOptions {
  std::string model;        // checkpoint; empty = the default config with random weights
  int words = 12;           // every caption is forced to this many words on both sides
  int context_tokens = 4;
  double min_seconds = 1.0;
  int threads = 1;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  bool as_json = false;
};

void run_caption_bench(const CaptionBenchOptions& options);

}  // namespace glimpse::app
