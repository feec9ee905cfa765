// Glimpse's public API, the only Glimpse header that front ends (the `glimpse caption`
// command, the desktop app) include. It depends on nothing but the standard library and
// glimpse/error.h.
//
//   auto model = glimpse::Model::load("assets/models/concat.safetensors");
//   glimpse::Image picture = glimpse::load_image("scene.png");
//   glimpse::Encoding enc = model->encode(picture, "an animal");   // encoders + K/V, once
//   glimpse::CaptionResult greedy = model->decode(enc, {});         // decode many times
//   glimpse::CaptionResult beam = model->decode(enc, {.beam = 3});
//   glimpse::CaptionResult forced = model->score(enc, "a dog on a red background");
//   for (const auto& w : beam.best().words) draw(w.text, w.predicted.image, beam.grid);
//
// Threading contract:
//   * Model is immutable after load() and may be shared by any number of threads (hold it by
//     shared_ptr). encode() runs the encoders under a lock inside the model (the encoder layers
//     keep per-call buffers), so concurrent encode() calls on one model are serialised;
//     decode() and score() only read the weights and the Encoding, each call with its own
//     buffers, so they run in parallel. For parallel encoding load one Model per thread.
//   * Encoding, CaptionResult and every other value here are plain, self-contained values:
//     once returned they never change, and may be read from any thread (the desktop app decodes
//     on a worker thread and hands the finished result to the UI thread).
//   * DecodeControl::cancel is read (never written) by the decoding thread at every step;
//     on_step runs on the decoding thread.
// Every failure throws glimpse::Error with a message that names the file or option.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "glimpse/error.h"

namespace glimpse {

// ---------------------------------------------------------------- images

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel, R G B

  bool empty() const { return width == 0 || height == 0; }
};

// Decodes PNG/JPEG/BMP/WebP/... (alpha composited on white, grey expanded). Throws
// glimpse::Error naming the file for a missing, unreadable, truncated, corrupt, unsupported or
// oversized one.
Image load_image(const std::string& path);
// Writes a PNG atomically (temporary file in the same folder, then rename).
void save_png(const std::string& path, const Image& image);
// Any file the same way (temporary file beside it, fsync, rename): a reader never sees half of
// it, and a killed writer leaves the old file. Throws glimpse::Error naming the path. (The
// engine's own writer, core/safetensors.h, declares and defines this same function.)
void write_file_atomic(const std::string& path, const std::string& bytes);

// Where each patch of the model's input grid lies on the original picture.
struct PatchBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // original pixels, x1/y1 exclusive
};
struct PatchGrid {
  int rows = 0, cols = 0;
  int image_width = 0, image_height = 0;
  // Model pixel u = (x + 0.5) * scale_x + offset_x shows original pixel x (likewise y).
  float scale_x = 1, scale_y = 1, offset_x = 0, offset_y = 0;
  std::vector<PatchBox> boxes;  // rows*cols, row-major; empty boxes lie in letterbox padding

  int size() const { return rows * cols; }
};

// ---------------------------------------------------------------- the model and its card

enum class FusionStrategy { Concat, Separate, Parallel, Hierarchical, Gated };
const char* fusion_name(FusionStrategy fusion);

// What a checkpoint says about itself: shape, vocabulary and where it came from.
struct ModelCard {
  std::string path;
  FusionStrategy fusion = FusionStrategy::Concat;
  int d_model = 0, heads = 0, d_hidden = 0;
  int encoder_layers = 0, context_layers = 0, decoder_layers = 0;
  int image_size = 0, patch_size = 0, grid_rows = 0, grid_cols = 0;
  int max_words = 0;          // longest caption the model can write (positions - 1)
  int max_context_tokens = 0; // longer context texts are cut to this many tokens
  int64_t parameters = 0;
  std::vector<std::string> vocabulary;  // id -> token; 0..3 are <pad> <bos> <eos> <unk>
  // From the checkpoint's provenance (empty / -1 where it does not say).
  std::string trained_by;              // "glimpse train"
  std::vector<std::string> training_data;  // the folders it was trained on
  std::string domain;                  // e.g. "emoji scenes (glimpse scenes)"; "" = unknown
  int64_t training_steps = -1;
  // The weights the run started from (`glimpse train --init FILE`), as recorded on the machine
  // it was trained on; "" when it started from random weights or does not say.
  std::string started_from;
  double best_validation_cider_d = -1;
  std::string provenance_json;         // the whole record, as stored
  // One paragraph for people: what the model is and what it will caption well.
  std::string summary() const;
};

// ---------------------------------------------------------------- decoding results

struct DecodeSettings {
  int beam = 1;                 // 1 = greedy
  float length_penalty = 1.0f;  // beam search: score = logprob / ((5 + steps) / 6)^alpha
  int max_words = 0;            // 0 = as many as the model allows
  int min_words = 1;            // <eos> is not allowed before this many words
  int no_repeat_ngram = 0;      // > 0: never repeat an n-gram of this size
  int top_k = 5;                // alternatives kept per step (0..32)

  bool operator==(const DecodeSettings&) const = default;
};

struct DecodeControl {
  const std::atomic<bool>* cancel = nullptr;  // set to true: decode()/score() throw Cancelled
                                              // (glimpse/error.h)
  std::function<void(int step, int max_steps)> on_step;  // after every decode step
};

struct Alternative {
  std::string text;
  int32_t id = 0;
  float logprob = 0.0f;  // the model's log-probability at that step (before any constraint)
};

// The cross-attention of one decode step.
struct StepAttention {
  int layers = 0, heads = 0;            // 0 layers: no record (e.g. a word cut at the limit)
  std::vector<float> image;             // [N] patches (row-major grid), mean over layers and heads
  std::vector<float> context;           // [Lc] context tokens, mean over layers and heads
  std::vector<float> image_by_head;     // [layers][heads][N]
  std::vector<float> context_by_head;   // [layers][heads][Lc]
  // How much of what the memories brought in came from the image (concat: the attention mass
  // on patches in the one softmax; other fusions: the image sub-layer's output norm over both).
  float image_share = 1.0f;
  std::vector<float> image_share_by_layer;  // [layers]
  // Shannon entropy (nats) of `image` renormalised over the patches, and the same divided by
  // log N (1 = uniform, 0 = one patch). A map that is the same for every word shows here.
  float image_entropy = 0.0f, image_entropy_normalised = 0.0f;
  std::vector<Alternative> top;         // the step's best tokens, best first

  bool empty() const { return layers == 0; }
  // One layer (or -1 = mean over layers), one head (or -1 = mean, -2 = max over heads): each
  // head's map at that layer (or averaged over layers), then the heads combined.
  std::vector<float> image_map(int layer, int head) const;
  std::vector<float> context_map(int layer, int head) const;  // the same over context tokens
};

// Shannon entropy (nats) of `weights` renormalised to sum 1 (0 for an all-zero vector), e.g.
// of an image_map() of one layer or head.
float attention_entropy(const std::vector<float>& weights);

struct Word {
  std::string text;
  int32_t id = 0;
  float logprob = 0.0f;
  StepAttention predicted;  // the step that chose this word
  StepAttention as_input;   // the next step, where this word is the decoder's input (for the
                            // last word: the <eos> step, forced when the caption was cut)
};

struct Caption {
  std::string text;
  std::vector<Word> words;
  float logprob = 0.0f;    // sum of every step's log-probability, the <eos> step included
  float score = 0.0f;      // logprob after the length penalty
  bool finished = false;   // the model chose <eos>; false: cut, the word limit forced <eos>
                           // where the best allowed token was a word (docs/model-format.md)
  StepAttention end;       // the step that chose <eos> (empty when cut: that step was forced)
};

struct CaptionResult {
  std::vector<Caption> hypotheses;  // best first; greedy and score() give one; beam search every
                                    // hypothesis it finished (k or more: all that ended by the
                                    // step its search stopped)
  PatchGrid grid;
  std::vector<std::string> context_tokens;
  int64_t context_dropped_tokens = 0;  // context words that did not fit the model
  std::vector<float> gates;            // gated fusion: [layers][2] tanh(alpha) image, context
  FusionStrategy fusion = FusionStrategy::Concat;

  const Caption& best() const;
};

// ---------------------------------------------------------------- encoding and the model

// One image (and one context text) run through the encoders, with every decoder layer's
// cross-attention K/V: what decode() and score() read. Cheap to copy (shared, immutable).
class Encoding {
 public:
  Encoding();
  const PatchGrid& grid() const;
  const std::string& context() const;
  const std::vector<std::string>& context_tokens() const;
  int64_t context_dropped_tokens() const;
  bool valid() const { return impl_ != nullptr; }

  struct Impl;
  explicit Encoding(std::shared_ptr<const Impl> impl);
  const Impl& impl() const;

 private:
  std::shared_ptr<const Impl> impl_;
};

class Model {
 public:
  // Loads and validates a checkpoint; throws glimpse::Error naming the file and the fault.
  static std::shared_ptr<const Model> load(const std::string& path);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelCard& card() const;

  // Both encoders and the K/V of every decoder layer. A new context for the same picture:
  // with_context() re-runs only the context encoder and the K/V projections.
  Encoding encode(const Image& image, const std::string& context = "") const;
  Encoding with_context(const Encoding& image_encoding, const std::string& context) const;
  // Several images with one context each ("" = none), encoded as one batch.
  std::vector<Encoding> encode(const std::vector<const Image*>& images,
                               const std::vector<std::string>& contexts) const;

  CaptionResult decode(const Encoding& encoding, const DecodeSettings& settings,
                       const DecodeControl& control = {}) const;
  // Decodes many encodings as one batch (faster than one by one); same results.
  std::vector<CaptionResult> decode(const std::vector<Encoding>& encodings,
                                    const DecodeSettings& settings,
                                    const DecodeControl& control = {}) const;

  // Teacher-forced: the model reads `caption` (tokenised like training captions) word by word
  // and records, for each word, its log-probability and the attention of both steps, exactly as
  // if the model had chosen it; the <eos> step ends it. Words outside the vocabulary become
  // <unk> and are scored as such. Throws for an empty caption or one longer than max_words.
  CaptionResult score(const Encoding& encoding, const std::string& caption,
                      const DecodeSettings& settings = {}, const DecodeControl& control = {}) const;
  // The tokenisation score() uses: the vocabulary tokens of `caption`.
  std::vector<std::string> tokenize(const std::string& caption) const;

  struct Impl;

 private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------- drawing attention

enum class ColorMap { Viridis, Inferno, Turbo };
enum class Normalization {
  Max,    // divide by the map's largest value: the most-attended spot is the hottest colour
  Fixed,  // the weights as they are, clamped to [0, 1]: maps of different words compare
};
const char* color_map_name(ColorMap map);
ColorMap color_map_from_name(const std::string& name);  // throws for an unknown name

using Rgb = std::array<uint8_t, 3>;
// 256 colours: entry 0 for weight 0, entry 255 for the top of the scale.
const std::array<Rgb, 256>& color_map_table(ColorMap map);

// Attention over the patch grid -> one value in [0, 1] per pixel of the picture, bilinear
// between patch centres through the preprocessing geometry. max_side > 0 computes it at a
// reduced size (longer side = max_side) for display.
struct HeatMap {
  int width = 0, height = 0;
  std::vector<float> values;  // row-major
  float scale_top = 1.0f;     // the weight that maps to 1 (Max: the map's largest value)
};
HeatMap heat_map(const PatchGrid& grid, const std::vector<float>& weights,
                 Normalization normalization, int max_side = 0);
// Row-major index of the largest weight (first on ties).
int argmax_patch(const std::vector<float>& weights);

struct OverlayStyle {
  ColorMap color_map = ColorMap::Inferno;
  Normalization normalization = Normalization::Max;
  float alpha = 0.5f;           // 0 = the picture, 1 = the heat colours only
  bool outline_argmax = true;
  std::string label;            // non-empty: a text strip under the picture
};
// The heat map of `weights` blended over the picture (its full size).
Image render_overlay(const Image& picture, const PatchGrid& grid,
                     const std::vector<float>& weights, const OverlayStyle& style = {});
struct SheetTile {
  std::string label;
  std::vector<float> weights;
};
// The plain picture, then one overlay per tile, `columns` per row, labelled.
Image render_attention_sheet(const Image& picture, const PatchGrid& grid,
                             const std::vector<SheetTile>& tiles, int columns,
                             const OverlayStyle& style = {}, int tile_width = 256);

// ---------------------------------------------------------------- JSON

struct JsonOptions {
  bool per_layer = true;    // include the [layers][heads] maps
  bool all_hypotheses = false;
  std::string extra_json;   // a JSON object merged into the top level (e.g. view settings)
};
// The `glimpse caption --json` record of one image: model, grid, patch boxes, context tokens,
// and for every word its log-probability, top alternatives and both steps' attention.
std::string caption_json(const std::string& image_path, const ModelCard& card,
                         const CaptionResult& result, const JsonOptions& options = {});

}  // namespace glimpse
