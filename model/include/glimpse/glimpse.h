// Glimpse's public API: load a captioning model, caption images, and read for every word the
// image patches (and context tokens) it attended to. The CLI and the GUI use only this.
//
//   glimpse::Captioner captioner("assets/models/glimpse-concat.safetensors");
//   auto result = captioner.caption(glimpse::vision::load_image("cat.jpg"), {.beam = 3});
//   for (const auto& w : result.words) draw(w.text, w.predicted.image, result.grid);
//
// A Captioner is not thread-safe: give each thread its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glimpse/model/model_config.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse {

struct CaptionOptions {
  std::string context;          // optional context text (tags, hints, an instruction)
  int beam = 1;                 // 1 = greedy
  float length_penalty = 1.0f;  // beam search: score / ((5 + len) / 6)^alpha
  int max_len = 0;              // words; 0 = as many as the model allows
  int min_len = 1;
  int no_repeat_ngram = 0;
};

// The cross-attention of one decode step.
struct StepAttention {
  int layers = 0, heads = 0;
  std::vector<float> image;          // [N] patches (row-major grid), mean over layers and heads
  std::vector<float> context;        // [Lc] context tokens, mean over layers and heads
  float image_share = 1.0f;          // how much of what the memories contributed came from the image
  std::vector<float> image_by_head;        // [layers][heads][N]
  std::vector<float> context_by_head;      // [layers][heads][Lc]
  std::vector<float> image_share_by_layer; // [layers]
};

struct CaptionWord {
  std::string text;
  int32_t id = 0;
  float logprob = 0.0f;
  StepAttention predicted;  // the step that chose this word
  StepAttention as_input;   // the next step, where this word is the decoder's input
};

struct ImageCaption {
  std::string caption;
  float score = 0.0f;      // log-probability after the length penalty
  float logprob = 0.0f;
  bool finished = false;   // ended with <eos> rather than at the length limit
  std::vector<CaptionWord> words;
  vision::PatchGrid grid;  // patch -> box on the original picture
  std::vector<std::string> context_tokens;
  int64_t context_dropped_tokens = 0;  // context words that did not fit the model
  std::vector<float> gates;  // gated fusion: [layers][2] tanh(alpha) image, context; else empty
};

class Captioner {
 public:
  // Loads and validates a checkpoint; throws glimpse::Error naming the file.
  explicit Captioner(const std::string& model_path);
  ~Captioner();
  Captioner(Captioner&&) noexcept;
  Captioner& operator=(Captioner&&) noexcept;

  const model::ModelConfig& config() const;
  const std::string& model_path() const;
  const char* fusion() const;

  // One caption per image, decoded as one batch. Throws glimpse::Error on bad options.
  std::vector<ImageCaption> caption(const std::vector<const vision::Image*>& images,
                                    const CaptionOptions& options);
  ImageCaption caption(const vision::Image& image, const CaptionOptions& options);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace glimpse
