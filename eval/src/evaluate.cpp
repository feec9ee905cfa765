#include "glimpse/eval/evaluate.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/core/fusion.h"
#include "glimpse/model/attention_share.h"
#include "glimpse/eval/hallucination.h"
#include "glimpse/eval/object_mention_ban.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::eval {
namespace {

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}

}  // namespace

std::optional<double> EvalReport::hallucination_rate() const {
  return optional_ratio(static_cast<double>(hallucinating_captions), static_cast<double>(images));
}

std::optional<double> EvalReport::no_repeat_rate() const {
  return optional_ratio(static_cast<double>(images - repeating_captions), static_cast<double>(images));
}

std::optional<double> EvalReport::distractor_hallucination_rate() const {
  return optional_ratio(static_cast<double>(distractor_hallucinating), static_cast<double>(distractor_captions));
}

std::optional<double> EvalReport::captions_per_second() const {
  if (captions_decoded == 0) return std::nullopt;
  return optional_ratio(static_cast<double>(captions_decoded), decode_seconds);
}

FollowTally EvalReport::followed(const std::string& kind) const {
  const auto it = following.find(kind);
  return it == following.end() ? FollowTally{} : it->second;
}

const char* context_selection_name(ContextSelection selection) {
  switch (selection) {
    case ContextSelection::None: return "none";
    case ContextSelection::Distractors: return "distractors";
    case ContextSelection::All: return "all";
  }
  return "?";
}

ContextSelection context_selection_from_name(const std::string& name) {
  for (const auto s : {ContextSelection::None, ContextSelection::Distractors, ContextSelection::All})
    if (name == context_selection_name(s)) return s;
  throw Error("contexts '" + name + "': expected all, distractors or none");
}

std::vector<const vision::ContextEntry*> selected_contexts(const vision::ImageRecord& image,
                                                           ContextSelection selection) {
  std::vector<const vision::ContextEntry*> out;
  for (const auto& c : image.contexts)
    if (selection == ContextSelection::All ||
        (selection == ContextSelection::Distractors && is_distractor_kind(c.kind)))
      out.push_back(&c);
  return out;
}

// ---- EvalScorer ------------------------------------------------------------------------------

EvalScorer::EvalScorer(const vision::CaptionDataset& data, const ObjectLexicon& lexicon,
                       const text::WordNet* wordnet, int layers, int heads, float pointing_tolerance)
    : data_(data), lexicon_(lexicon), wordnet_(wordnet), layers_(layers), heads_(heads),
      pointing_(layers, heads, PointingOptions{pointing_tolerance}) {
  report_.pointing_tolerance = pointing_tolerance;
}

void EvalScorer::add_shares(const GeneratedCaption& caption, ShareMeans& into) const {
  if (caption.steps.empty()) return;
  const int64_t N = static_cast<int64_t>(caption.grid.boxes.size());
  for (size_t i = 0; i < caption.words.size() && i < caption.steps.size(); ++i) {
    into.image_sum += model::image_share(caption.steps[i], layers_, heads_, N);
    into.words += 1;
  }
}

void EvalScorer::add(size_t image, const GeneratedCaption& caption) {
  check(image < data_.images.size(), "EvalScorer",
        "image " + std::to_string(image) + " is not in the dataset (" + std::to_string(data_.images.size()) + " images)");
  check(!slot_.count(image), "EvalScorer", "image '" + data_.images[image].file_name + "' added twice");
  const vision::ImageRecord& rec = data_.images[image];
  const std::string text = caption.text();

  ImageResult r;
  r.file_name = rec.file_name;
  r.caption = text;
  r.references = rec.captions;
  r.objects = scene_object_names(rec.objects);
  const CaptionMentions m = score_mentions(lexicon_, caption.words, r.objects);
  r.recalled = m.recalled;
  for (const auto& h : m.hallucinated) r.hallucinated.push_back(join(h, "|"));
  for (const auto& h : m.repeated) r.repeated.push_back(join(h, "|"));

  ImageTallies& t = r.tallies;
  t.images = 1;
  t.mentions = m.counts;
  t.hallucinating_captions = m.hallucinated.empty() ? 0 : 1;
  t.repeating_captions = m.repeated.empty() ? 0 : 1;
  PointingGame image_pointing = pointing_;
  if (!caption.steps.empty()) image_pointing.add(caption.words, caption.steps, caption.grid, rec.objects, m.mentions);
  t.pointing = image_pointing.result();
  add_shares(caption, t.shares);
  samples_.push_back(text::make_caption_sample(text, rec.captions));
  slot_[image] = report_.per_image.size();
  report_.per_image.push_back(std::move(r));
}

void EvalScorer::add_with_context(size_t image, const vision::ContextEntry& context,
                                  const GeneratedCaption& caption) {
  const auto slot = slot_.find(image);
  check(slot != slot_.end(), "EvalScorer", "add_with_context before add for image " + std::to_string(image));
  ImageResult& r = report_.per_image[slot->second];
  ContextCaption c;
  c.kind = context_kind_key(context);
  c.context = context.text;
  c.caption = caption.text();
  c.followed = follows_context(lexicon_, data_.images[image], context, caption.words);
  if (c.followed) {
    FollowTally& t = r.tallies.following[c.kind];
    t.captions += 1;
    t.followed += *c.followed ? 1 : 0;
  }
  if (is_distractor_kind(context.kind)) {
    const auto mentions = lexicon_.find_mentions(caption.words);
    for (const auto& h : context_hallucinations(lexicon_, mentions, r.objects, text::tokenize(context.text)))
      c.induced.push_back(h.object);
    r.tallies.distractor_captions += 1;
    r.tallies.distractor_hallucinating += c.induced.empty() ? 0 : 1;
    add_shares(caption, r.tallies.distractor_shares);
  }
  r.with_context.push_back(std::move(c));
}

EvalReport EvalScorer::finish() const {
  check(!samples_.empty(), "EvalScorer", "no captions to score");
  EvalReport out = report_;
  const std::vector<text::ImageCaptionScores> scores = text::per_image_caption_scores(samples_, wordnet_);
  // The report's totals are the sum of the images' tallies, so that the bootstrap's identity
  // resample reproduces them.
  ImageTallies total;
  total.pointing = pointing_.result();  // no trials, one tally per layer
  for (size_t i = 0; i < out.per_image.size(); ++i) {
    out.per_image[i].tallies.captions = scores[i];
    total += out.per_image[i].tallies;
  }
  out.images = total.images;
  out.metrics = text::caption_metrics(total.captions, wordnet_ != nullptr);
  out.mentions = total.mentions;
  out.hallucinating_captions = total.hallucinating_captions;
  out.repeating_captions = total.repeating_captions;
  out.pointing = total.pointing;
  out.shares = total.shares;
  out.distractor_shares = total.distractor_shares;
  out.distractor_captions = total.distractor_captions;
  out.distractor_hallucinating = total.distractor_hallucinating;
  out.following = total.following;
  return out;
}

void add_bootstrap_intervals(EvalReport& report, const BootstrapOptions& options) {
  std::vector<ImageTallies> images;
  images.reserve(report.per_image.size());
  for (const ImageResult& r : report.per_image) images.push_back(r.tallies);
  report.ci95 = bootstrap_intervals(images, report.pointing.predicted.by_layer.size(), options);
}

// ---- evaluate ---------------------------------------------------------------------------------

EvalReport evaluate(model::CaptionModel& model, const text::Vocabulary& vocab,
                    const vision::CaptionDataset& data, const ObjectLexicon& lexicon,
                    const text::WordNet* wordnet, const EvalOptions& options) {
  check(!data.images.empty(), "evaluate", "the dataset '" + data.source + "' has no images");
  check(options.batch >= 1, "evaluate", "batch must be at least 1, got " + std::to_string(options.batch));
  check(options.pointing_tolerance >= 0.0f, "evaluate", "pointing tolerance must not be negative");
  const model::ModelConfig& cfg = model.config();
  model::DecodeOptions decode;
  decode.beam = options.beam;
  decode.max_len = options.max_len;
  std::optional<ObjectMentionBan> mention_ban;
  if (options.mention_rules.any()) {
    // The trainer numbers the object head's classes by the sorted distinct object names of its
    // data (train/object_classes.h), the lexicon by the catalogue's: as the data's names come
    // from the catalogue, the same count means the same numbering.
    const size_t classes = lexicon.object_names().size() + 1;
    check(options.mention_rules.min_presence == 0.0f ||
              (model.has_object_head() && cfg.object_classes == static_cast<int64_t>(classes)),
          "evaluate", "the unseen-object rule reads the object head, which must have one class per catalogue object and "
                      "one for background (" + std::to_string(classes) + "); this model's has " +
                      std::to_string(model.has_object_head() ? cfg.object_classes : 0));
    mention_ban.emplace(lexicon, vocab, options.mention_rules);
  }
  const ObjectMentionBan* ban = mention_ban ? &*mention_ban : nullptr;
  model::validate(decode);

  const size_t n = options.max_images == 0 ? data.images.size() : std::min(options.max_images, data.images.size());
  EvalScorer scorer(data, lexicon, wordnet, cfg.decoder_layers, static_cast<int>(cfg.num_heads),
                    options.pointing_tolerance);
  double seconds = 0.0;
  int64_t decoded = 0;
  for (size_t start = 0; start < n; start += static_cast<size_t>(options.batch)) {
    const size_t end = std::min(n, start + static_cast<size_t>(options.batch));
    std::vector<vision::Image> images;
    for (size_t i = start; i < end; ++i) images.push_back(data.load_image(i));
    std::vector<const vision::Image*> plain_images;
    plain_images.reserve(images.size());
    for (const auto& im : images) plain_images.push_back(&im);
    // The context captions of this batch: (image, context) pairs, decoded together.
    std::vector<size_t> ctx_image;
    std::vector<const vision::ContextEntry*> ctx_entry;
    std::vector<const vision::Image*> ctx_images;
    std::vector<std::string> ctx_texts;
    for (size_t i = start; i < end; ++i)
      for (const vision::ContextEntry* c : selected_contexts(data.images[i], options.contexts)) {
        ctx_image.push_back(i);
        ctx_entry.push_back(c);
        ctx_images.push_back(&images[i - start]);
        ctx_texts.push_back(c->text);
      }

    const auto t0 = std::chrono::steady_clock::now();
    const auto plain = caption_batch(model, vocab, plain_images, {}, decode, ban);
    std::vector<GeneratedCaption> with_ctx;
    if (!ctx_images.empty()) with_ctx = caption_batch(model, vocab, ctx_images, ctx_texts, decode, ban);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    decoded += static_cast<int64_t>(plain.size() + with_ctx.size());

    for (size_t i = start; i < end; ++i) scorer.add(i, plain[i - start]);
    for (size_t k = 0; k < with_ctx.size(); ++k) scorer.add_with_context(ctx_image[k], *ctx_entry[k], with_ctx[k]);
  }
  EvalReport report = scorer.finish();
  report.fusion = fusion_name(cfg.fusion);
  report.decoding = (options.beam == 1 ? std::string("greedy") : "beam " + std::to_string(options.beam)) +
                    describe(options.mention_rules);
  report.decode_seconds = seconds;
  report.captions_decoded = decoded;
  return report;
}

// ---- JSON -----------------------------------------------------------------------------------------

namespace {

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json tally_json(const PointingTally& t) {
  return {{"hits", t.hits}, {"trials", t.trials}, {"accuracy", optional_json(t.accuracy())},
          {"chance", optional_json(t.chance())}};
}

nlohmann::json step_json(const PointingStep& s) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& t : s.by_layer) layers.push_back(tally_json(t));
  return {{"all", tally_json(s.all)}, {"by_layer", layers}};
}

nlohmann::json shares_json(const ShareMeans& s) {
  return {{"words", s.words}, {"image", optional_json(s.image())}, {"context", optional_json(s.context())}};
}

// Beside the fields above rather than in place of them, so that readers of those keep working.
nlohmann::json intervals_json(const EvalReport& r) {
  nlohmann::json out = nlohmann::json::object();
  if (r.ci95.empty() || r.per_image.empty()) return out;
  ImageTallies total;
  for (const ImageResult& i : r.per_image) total += i.tallies;
  for (const TalliedMetric& m : tallied_metrics(r.pointing.predicted.by_layer.size())) {
    const auto ci = r.ci95.find(m.key);
    if (ci == r.ci95.end()) continue;
    out[m.key] = {{"value", optional_json(m.value(total))}, {"ci95", {ci->second.lo, ci->second.hi}}};
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const EvalReport& r) {
  const auto& m = r.metrics;
  nlohmann::json images = nlohmann::json::array();
  for (const ImageResult& i : r.per_image) {
    nlohmann::json ctx = nlohmann::json::array();
    for (const ContextCaption& c : i.with_context)
      ctx.push_back({{"kind", c.kind}, {"context", c.context}, {"caption", c.caption}, {"induced", c.induced},
                     {"followed", c.followed ? nlohmann::json(*c.followed) : nlohmann::json(nullptr)}});
    images.push_back({{"file_name", i.file_name}, {"caption", i.caption}, {"references", i.references},
                      {"objects", i.objects}, {"recalled", i.recalled}, {"hallucinated", i.hallucinated}, {"repeated", i.repeated},
                      {"with_context", ctx}});
  }
  nlohmann::json following = nlohmann::json::object();
  for (const std::string& kind : followed_context_kinds()) {
    const FollowTally t = r.followed(kind);
    following[kind] = {{"captions", t.captions}, {"followed", t.followed}, {"rate", optional_json(t.rate())}};
  }
  return {
      {"fusion", r.fusion},
      {"decoding", r.decoding},
      {"images", r.images},
      {"captions",
       {{"bleu", m.bleu}, {"meteor", m.meteor}, {"meteor_used_wordnet", m.meteor_used_wordnet},
        {"rouge_l", m.rouge_l}, {"cider_d", m.cider_d}}},
      {"objects",
       {{"true_positives", r.mentions.true_positives}, {"false_positives", r.mentions.false_positives},
        {"scene_objects", r.mentions.scene_objects}, {"recalled", r.mentions.recalled},
        {"precision", optional_json(r.mentions.precision())}, {"recall", optional_json(r.mentions.recall())},
        {"f1", optional_json(r.mentions.f1())}}},
      {"hallucination",
       {{"captions", r.images}, {"hallucinating", r.hallucinating_captions},
        {"rate", optional_json(r.hallucination_rate())}}},
      {"repetition",
       {{"captions", r.images}, {"repeating", r.repeating_captions},
        {"no_repeat_rate", optional_json(r.no_repeat_rate())}}},
      {"distractor_hallucination",
       {{"captions", r.distractor_captions}, {"hallucinating", r.distractor_hallucinating},
        {"rate", optional_json(r.distractor_hallucination_rate())}}},
      {"context_following", following},
      {"pointing",
       {{"tolerance", r.pointing_tolerance}, {"predicted", step_json(r.pointing.predicted)},
        {"input", step_json(r.pointing.input)}}},
      {"shares", {{"empty_context", shares_json(r.shares)}, {"distractor_context", shares_json(r.distractor_shares)}}},
      {"speed",
       {{"captions", r.captions_decoded}, {"seconds", r.decode_seconds},
        {"captions_per_second", optional_json(r.captions_per_second())}}},
      {"per_image", images},
      {"intervals", intervals_json(r)},
  };
}

}  // namespace glimpse::eval
