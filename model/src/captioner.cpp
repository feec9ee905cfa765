#include <numeric>

#include "glimpse/core/error.h"
#include "glimpse/glimpse.h"
#include "glimpse/model/attention_share.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
#include "glimpse/model/input_batch.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse {

struct Captioner::State {
  std::string path;
  model::Checkpoint checkpoint;
  text::Vocabulary vocabulary;
};

Captioner::Captioner(const std::string& model_path) : state_(std::make_unique<State>()) {
  state_->path = model_path;
  state_->checkpoint = model::load_checkpoint(model_path);
  state_->vocabulary = text::Vocabulary::from_json(state_->checkpoint.vocabulary_json, model_path);
  const int64_t v = state_->checkpoint.model->config().vocab_size;
  check(state_->vocabulary.size() == v, "model '" + model_path + "'",
        "vocabulary has " + std::to_string(state_->vocabulary.size()) + " tokens, the config " +
            std::to_string(v));
}

Captioner::~Captioner() = default;
Captioner::Captioner(Captioner&&) noexcept = default;
Captioner& Captioner::operator=(Captioner&&) noexcept = default;

const model::ModelConfig& Captioner::config() const { return state_->checkpoint.model->config(); }
const std::string& Captioner::model_path() const { return state_->path; }
const char* Captioner::fusion() const { return fusion_name(config().fusion); }

namespace {

// Averages and shares of one step record.
StepAttention summarise(const model::StepRecord& rec, const model::ModelConfig& cfg,
                        int64_t N, int64_t Lc) {
  StepAttention a;
  a.layers = cfg.decoder_layers;
  a.heads = static_cast<int>(cfg.num_heads);
  a.image_by_head = rec.image;
  a.context_by_head = rec.context;
  const int64_t rows = int64_t{a.layers} * a.heads;
  a.image.assign(static_cast<size_t>(N), 0.0f);
  a.context.assign(static_cast<size_t>(Lc), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < N; ++j) a.image[static_cast<size_t>(j)] += rec.image[static_cast<size_t>(r * N + j)] / static_cast<float>(rows);
    for (int64_t j = 0; j < Lc; ++j) a.context[static_cast<size_t>(j)] += rec.context[static_cast<size_t>(r * Lc + j)] / static_cast<float>(rows);
  }
  a.image_share_by_layer = model::image_share_by_layer(rec, a.layers, a.heads, N);
  a.image_share = std::accumulate(a.image_share_by_layer.begin(), a.image_share_by_layer.end(), 0.0f) /
                  static_cast<float>(a.layers);
  return a;
}

}  // namespace

std::vector<ImageCaption> Captioner::caption(const std::vector<const vision::Image*>& images,
                                             const CaptionOptions& options) {
  model::CaptionModel& m = *state_->checkpoint.model;
  const model::ModelConfig& cfg = m.config();
  const int64_t B = static_cast<int64_t>(images.size());
  check(B > 0, "Captioner", "no images to caption");
  model::DecodeOptions decode;
  decode.beam = options.beam;
  decode.length_penalty = options.length_penalty;
  decode.max_len = options.max_len;
  decode.min_len = options.min_len;
  decode.no_repeat_ngram = options.no_repeat_ngram;
  model::validate(decode);

  // The same context for every image of the call.
  const model::InputBatch batch = model::make_input_batch(
      images, std::vector<std::string>(images.size(), options.context), state_->vocabulary, cfg);
  const int64_t N = cfg.image.num_patches(), Lc = batch.context_len;
  const text::EncodedText& ctx = batch.contexts.front();
  std::vector<std::string> ctx_tokens;
  for (int32_t id : ctx.ids) ctx_tokens.push_back(state_->vocabulary.token(id));
  std::vector<ImageCaption> out(images.size());
  for (size_t b = 0; b < out.size(); ++b) out[b].grid = batch.grids[b];

  model::EncodedMemories memories;
  m.encode(batch.inputs(), memories);
  const auto decoded = model::decode(m, memories, decode);

  std::vector<float> gates;
  for (int l = 0; l < cfg.decoder_layers; ++l)
    for (float g : m.decoder().block(l).fusion().gate_values()) gates.push_back(g);

  for (int64_t b = 0; b < B; ++b) {
    const model::DecodedCaption& d = decoded[static_cast<size_t>(b)];
    ImageCaption& c = out[static_cast<size_t>(b)];
    c.caption = state_->vocabulary.decode(d.tokens);
    c.score = d.score;
    c.logprob = d.logprob;
    c.finished = d.finished;
    c.context_tokens = ctx_tokens;
    c.context_dropped_tokens = ctx.dropped_tokens;
    c.gates = gates;
    for (size_t i = 0; i < d.tokens.size(); ++i) {
      CaptionWord w;
      w.id = d.tokens[i];
      w.text = state_->vocabulary.token(w.id);
      w.logprob = d.steps[i].logprob;
      w.predicted = summarise(d.steps[i], cfg, N, Lc);
      if (i + 1 < d.steps.size()) w.as_input = summarise(d.steps[i + 1], cfg, N, Lc);
      c.words.push_back(std::move(w));
    }
  }
  return out;
}

ImageCaption Captioner::caption(const vision::Image& image, const CaptionOptions& options) {
  return std::move(caption(std::vector<const vision::Image*>{&image}, options).front());
}

}  // namespace glimpse
