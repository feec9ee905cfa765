#include <numeric>

#include "glimpse/core/error.h"
#include "glimpse/glimpse.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
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
  a.image_share_by_layer.assign(static_cast<size_t>(a.layers), 1.0f);
  for (int l = 0; l < a.layers; ++l) {
    float share = 1.0f;
    if (rec.slot_norms.empty()) {
      // concat: one softmax over both memories; the image's share is its attention mass.
      double mass = 0;
      for (int64_t h = 0; h < a.heads; ++h)
        for (int64_t j = 0; j < N; ++j) mass += rec.image[static_cast<size_t>((l * a.heads + h) * N + j)];
      share = static_cast<float>(mass / a.heads);
    } else {
      // separate sub-layers: the relative size of what each memory added to the residual.
      const float img = rec.slot_norms[static_cast<size_t>(l * 2)], ctx = rec.slot_norms[static_cast<size_t>(l * 2 + 1)];
      share = img + ctx > 0.0f ? img / (img + ctx) : 1.0f;
    }
    a.image_share_by_layer[static_cast<size_t>(l)] = share;
  }
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

  // Pixels -> patches, one batch.
  std::vector<ImageCaption> out(static_cast<size_t>(B));
  const int64_t N = cfg.image.num_patches(), pd = cfg.image.patch_dim();
  Tensor patches({B * N, pd});
  for (int64_t b = 0; b < B; ++b) {
    check(images[static_cast<size_t>(b)] != nullptr, "Captioner", "null image");
    vision::PreparedImage p = vision::prepare_image(*images[static_cast<size_t>(b)], cfg.image);
    std::copy(p.patches.data(), p.patches.data() + N * pd, patches.data() + b * N * pd);
    out[static_cast<size_t>(b)].grid = std::move(p.grid);
  }
  // The same context for every image of the call.
  const text::EncodedText ctx = state_->vocabulary.encode(options.context, cfg.max_context_len);
  const int64_t Lc = static_cast<int64_t>(ctx.ids.size());
  std::vector<int32_t> ctx_ids;
  for (int64_t b = 0; b < B; ++b) ctx_ids.insert(ctx_ids.end(), ctx.ids.begin(), ctx.ids.end());
  std::vector<uint8_t> ctx_pad(ctx_ids.size(), 0);
  std::vector<std::string> ctx_tokens;
  for (int32_t id : ctx.ids) ctx_tokens.push_back(state_->vocabulary.token(id));

  model::ModelInputs in;
  in.batch = B;
  in.patches = &patches;
  in.context_ids = ctx_ids.data();
  in.context_padding = ctx_pad.data();
  in.context_len = Lc;
  model::EncodedMemories memories;
  m.encode(in, memories);
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
