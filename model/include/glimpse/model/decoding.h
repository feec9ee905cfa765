// Caption decoding over cached memories: greedy and beam search, each returning, for every
// step, the cross-attention that step used (per layer and head, over the image patches and
// over the context tokens) so that every word can be drawn where it looked.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "glimpse/model/caption_model.h"

namespace glimpse::model {

// Special token ids shared with the tokenizer.
constexpr int32_t kPadId = 0, kBosId = 1, kEosId = 2, kUnkId = 3;

// Greedy and beam search never choose these: <pad> and <bos> are not words, and <unk> stands
// for a word the vocabulary lacks, which a caption cannot show. The recorded log-probabilities
// stay the model's log-softmax over the whole vocabulary (what training fits), so a caption's
// logprob and score do not depend on this rule, and the top-k lists may hold these tokens.
constexpr int32_t kNeverGenerated[] = {kPadId, kBosId, kUnkId};
bool is_never_generated(int32_t token);

// A rule, beyond DecodeOptions' own, that bans next tokens given a hypothesis's words so far.
// Greedy and beam search ask it before every choice, after the built-in constraints; teacher
// forcing does not. It must not keep state between calls: one rule serves every hypothesis,
// row and thread. eval::ObjectMentionBan (no object named twice; none the object head does not
// see) is one.
class WordBan {
 public:
  virtual ~WordBan() = default;
  // Sets the log-probability of every banned next token to -inf; `logprobs` holds one entry
  // per vocabulary token. `image` is the hypothesis's image, an index into the memories decoded.
  virtual void ban(int64_t image, const std::vector<int32_t>& words, float* logprobs) const = 0;
};

struct DecodeOptions {
  int beam = 1;                // 1 = greedy
  float length_penalty = 1.0f; // GNMT: score / ((5 + len) / 6)^alpha, len counts <eos>
  int max_len = 0;             // words before <eos>; 0 = as many as the model has positions for
                               // (max_caption_len - 1: one position is <eos>'s step)
  int min_len = 1;             // <eos> is not allowed before this many words
  int no_repeat_ngram = 0;     // > 0: never repeat an n-gram of this size
  const WordBan* word_ban = nullptr;  // further bans (not owned); null: none
  bool keep_records = true;
  int top_k = 0;               // best tokens kept per step in StepRecord::top (0..32)
  const std::atomic<bool>* cancel = nullptr;  // read every step; true: throw Cancelled
  std::function<void(int step, int max_steps)> on_step;  // after every step
};

void validate(const DecodeOptions& options);

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

// One decode step: the token it chose and the attention it used to choose it.
struct StepRecord {
  int32_t token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;  // the step's best tokens by the model's log-softmax (before
                                  // any decoding constraint, so specials too), best first, ties
                                  // to the lower id; DecodeOptions::top_k
  std::vector<float> image;       // [layers, heads, N]
  std::vector<float> context;     // [layers, heads, Lc]
  std::vector<float> slot_norms;  // [layers, 2] what each memory added to the residual
                                  // (separate, parallel, hierarchical, gated); empty for concat
};

// Every caption ends with an <eos> step, also at the word limit, where <eos> is forced: the
// decoder takes that step (so the last word has an input step) and its log-probability counts.
struct DecodedCaption {
  std::vector<int32_t> tokens;   // words, without <bos> and <eos>
  float logprob = 0.0f;          // sum of the chosen tokens' log-probabilities, <eos> included
  float score = 0.0f;            // logprob / ((5 + steps.size()) / 6)^length_penalty (GNMT)
  // The model ended the caption: false when the word limit forced <eos> while the best token
  // the constraints allowed at that step was a word (the caption was cut).
  bool finished = false;
  // One per step, tokens.size() + 1 of them: steps[i] predicted tokens[i], the last one <eos>.
  // Word i is the decoder's input at steps[i + 1].
  std::vector<StepRecord> steps;
};

// One caption per image of `memories`.
std::vector<DecodedCaption> greedy_decode(const CaptionModel& model, const EncodedMemories& memories,
                                          const DecodeOptions& options);
std::vector<DecodedCaption> beam_decode(const CaptionModel& model, const EncodedMemories& memories,
                                        const DecodeOptions& options);
// Every hypothesis beam search ended with, per image, best first: finished ones before those
// cut at the word limit, then by score. beam_decode() returns the first of each.
std::vector<std::vector<DecodedCaption>> beam_decode_all(const CaptionModel& model,
                                                         const EncodedMemories& memories,
                                                         const DecodeOptions& options);
// Teacher forcing: row i reads captions[i] (word ids, no <bos>/<eos>) and records every step
// as if it had chosen those words, then the <eos> step; logprob sums the chosen tokens'
// log-probabilities, <eos> included. Constraints (min_len, n-grams) do not apply; max_len
// and the model's word limit do (Error naming the caption). `finished` follows decoding's
// rule: a caption at the word limit is cut unless <eos> beats every word that decoding could
// choose at its last step.
std::vector<DecodedCaption> teacher_force(const CaptionModel& model, const EncodedMemories& memories,
                                          const std::vector<std::vector<int32_t>>& captions,
                                          const DecodeOptions& options);
// greedy when options.beam == 1, beam search otherwise.
std::vector<DecodedCaption> decode(const CaptionModel& model, const EncodedMemories& memories,
                                   const DecodeOptions& options);

}  // namespace glimpse::model
