// A captioning model's scores on a dataset: caption metrics against the references, object
// mentions, hallucinations, the pointing game, and how much the words drew on the image
// versus the context. Used by `glimpse eval`, `glimpse compare` and the trainer's validation.
// Definitions: docs/evaluation.md.
//
// Two layers, so that scoring can be tested with captions and attention made by hand:
//   * EvalScorer scores given captions (GeneratedCaption: words, step records, patch grid)
//     against the dataset's references and boxes;
//   * evaluate() decodes the dataset's images with a model in batches and feeds an EvalScorer.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/batch_captioning.h"
#include "glimpse/eval/bootstrap.h"
#include "glimpse/eval/context_following.h"
#include "glimpse/eval/image_tallies.h"
#include "glimpse/eval/mention_scores.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/eval/pointing_game.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/text/metrics.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/text/wordnet.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::eval {

// Which of an image's context entries it is also captioned with, besides the empty context.
enum class ContextSelection {
  None,         // the empty context only
  Distractors,  // the "distractors" and "mixed" entries
  All,          // every entry
};
const char* context_selection_name(ContextSelection selection);  // "none" | "distractors" | "all"
ContextSelection context_selection_from_name(const std::string& name);  // throws glimpse::Error

struct EvalOptions {
  size_t max_images = 0;         // the first N images of the dataset; 0 = all
  int beam = 1;                  // 1 = greedy
  int max_len = 0;               // words per caption; 0 = as many as the model allows
  int batch = 16;                // images decoded together
  ContextSelection contexts = ContextSelection::All;  // each extra context costs one caption per image
  float pointing_tolerance = 1.0f / 16.0f;  // fraction of the image's longer side
  ObjectMentionRules mention_rules;  // decoding rules on the objects named (ObjectMentionBan)
};

// An image captioned with one of its context entries.
struct ContextCaption {
  std::string kind;     // context_kind_key: "keywords" | "distractors" | "mixed" | "brief" | ...
  std::string context;  // the context text
  std::string caption;
  std::vector<std::string> induced;  // distractor kinds: absent objects named because the context cued them
  std::optional<bool> followed;      // follows_context; none where the kind has no rule
};

// One image's results, kept so that `glimpse compare` can show where models differ.
struct ImageResult {
  std::string file_name;
  std::string caption;  // with the empty context
  std::vector<std::string> references;
  std::vector<std::string> objects;   // the scene's distinct object names
  std::vector<std::string> recalled;  // those the caption named
  std::vector<std::string> hallucinated;  // mentions of absent objects: candidates joined by "|"
  std::vector<std::string> repeated;      // objects named more than once: candidates joined by "|"
  std::vector<ContextCaption> with_context;  // in the record's context order
  ImageTallies tallies;  // this image's share of every metric, for the bootstrap
};

struct EvalReport {
  std::string fusion;            // the model's fusion strategy ("" when scored without a model)
  std::string decoding;          // how the captions were decoded: "greedy" or "beam 3", then the
                                 // ObjectMentionBan rules (describe()); "" when not decoded here
  int64_t images = 0;
  text::CaptionMetrics metrics;  // empty context against the plain references
  MentionCounts mentions;        // empty context
  int64_t hallucinating_captions = 0;  // empty-context captions naming an absent object
  int64_t repeating_captions = 0;      // empty-context captions naming an object twice
  PointingResult pointing;       // empty context
  float pointing_tolerance = 0.0f;
  ShareMeans shares;             // empty context
  ShareMeans distractor_shares;  // with distractor contexts
  int64_t distractor_captions = 0;        // captions made with a distractor context
  int64_t distractor_hallucinating = 0;   // of those, with >= 1 context-induced hallucination
  std::map<std::string, FollowTally> following;  // by context_kind_key, kinds with a rule only
  int64_t captions_decoded = 0;  // every caption, context ones included
  double decode_seconds = 0.0;   // encode + decode wall clock, image loading excluded
  std::vector<ImageResult> per_image;
  // 95 % bootstrap intervals by TalliedMetric key; empty until add_bootstrap_intervals().
  std::map<std::string, Interval> ci95;

  std::optional<double> hallucination_rate() const;             // per empty-context caption
  std::optional<double> no_repeat_rate() const;                 // share of empty-context captions naming no object twice
  std::optional<double> distractor_hallucination_rate() const;  // per distractor caption
  FollowTally followed(const std::string& kind) const;           // zero captions for a kind not seen
  std::optional<double> captions_per_second() const;
};

// The image's context entries that `selection` keeps, in record order.
std::vector<const vision::ContextEntry*> selected_contexts(const vision::ImageRecord& image,
                                                           ContextSelection selection);

class EvalScorer {
 public:
  // `layers`, `heads`: the decoder's, for the step records of the captions added.
  EvalScorer(const vision::CaptionDataset& data, const ObjectLexicon& lexicon,
             const text::WordNet* wordnet, int layers, int heads, float pointing_tolerance = 1.0f / 16.0f);

  // Image `image` (index into data.images) captioned with the empty context. Captions
  // without step records (steps empty) are scored as text only: no pointing trials, no shares.
  void add(size_t image, const GeneratedCaption& caption);
  // The same image captioned with `context` (one of its entries); after add(image). Throws
  // glimpse::Error when the context's rule cannot be applied (a "where" entry on an image
  // without a size).
  void add_with_context(size_t image, const vision::ContextEntry& context, const GeneratedCaption& caption);

  // Computes the caption metrics over everything added. Throws glimpse::Error when nothing was.
  EvalReport finish() const;

 private:
  void add_shares(const GeneratedCaption& caption, ShareMeans& into) const;

  const vision::CaptionDataset& data_;
  const ObjectLexicon& lexicon_;
  const text::WordNet* wordnet_;
  int layers_, heads_;
  PointingGame pointing_;  // with no trials: each image's trials are added to a copy
  EvalReport report_;
  std::map<size_t, size_t> slot_;  // image index -> per_image position
  std::vector<text::CaptionSample> samples_;
};

// Captions the first options.max_images images of `data` with `model` (in batches of
// options.batch) and scores them. `model` is non-const because encoding runs its layers'
// forward passes, which overwrite the activations a training backward needs: call it between
// optimiser steps, not between a forward and its backward. Throws glimpse::Error for an empty dataset, bad
// options, a vocabulary that does not fit the model, or an unreadable image (named).
EvalReport evaluate(model::CaptionModel& model, const text::Vocabulary& vocab,
                    const vision::CaptionDataset& data, const ObjectLexicon& lexicon,
                    const text::WordNet* wordnet, const EvalOptions& options);

// Fills report.ci95 from the per-image tallies (bootstrap.h); clears it for 0 resamples.
void add_bootstrap_intervals(EvalReport& report, const BootstrapOptions& options);

// With the intervals, when there are any, under "intervals": key -> {"value", "ci95": [lo, hi]}.
nlohmann::json to_json(const EvalReport& report);

}  // namespace glimpse::eval
