// Timed captioning at a model's real shapes: encode once, then greedy and beam decoding with
// the cached K/V, and how one decode step's cost grows with caption length and patch count.
#pragma once

#include <vector>

#include "glimpse/model/caption_model.h"

namespace glimpse::bench {

struct CaptionTimes {
  double encode_ms = 0;            // both encoders + every layer's memory K/V, batch 1
  double greedy_ms = 0;            // encode + greedy decode of `words` words
  double beam3_ms = 0;             // encode + beam-3 decode of `words` words
  double per_token_ms = 0;         // greedy decode time / steps
  int words = 0;
};

// Times captioning one image with `context_tokens` context tokens; every caption is forced to
// exactly `words` words (min_len = max_len) so runs are comparable. The four times are medians
// of alternating rounds (encode, decode alone, greedy caption, beam caption), as the peers time.
CaptionTimes time_captioning(model::CaptionModel& model, int words, int context_tokens,
                             double min_seconds);

struct StepCost {
  int64_t position = 0;   // decoder position of the step
  int64_t patches = 0;
  double ms = 0;
};

// One cached decode step's cost at several positions (batch 1).
std::vector<StepCost> step_cost_by_position(model::CaptionModel& model,
                                            const std::vector<int64_t>& positions,
                                            double min_seconds);

}  // namespace glimpse::bench
