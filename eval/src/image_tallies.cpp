#include "glimpse/eval/image_tallies.h"

namespace glimpse::eval {

namespace {

void add_step(PointingStep& into, const PointingStep& from) {
  if (into.by_layer.size() < from.by_layer.size()) into.by_layer.resize(from.by_layer.size());
  for (size_t l = 0; l < from.by_layer.size(); ++l) into.by_layer[l] += from.by_layer[l];
  into.all += from.all;
}

}  // namespace

std::optional<double> ShareMeans::image() const { return optional_ratio(image_sum, static_cast<double>(words)); }

std::optional<double> ShareMeans::context() const {
  const auto i = image();
  if (!i) return std::nullopt;
  return 1.0 - *i;
}

ShareMeans& ShareMeans::operator+=(const ShareMeans& o) {
  words += o.words;
  image_sum += o.image_sum;
  return *this;
}

ImageTallies& ImageTallies::operator+=(const ImageTallies& o) {
  images += o.images;
  captions += o.captions;
  mentions += o.mentions;
  hallucinating_captions += o.hallucinating_captions;
  repeating_captions += o.repeating_captions;
  add_step(pointing.predicted, o.pointing.predicted);
  add_step(pointing.input, o.pointing.input);
  shares += o.shares;
  distractor_shares += o.distractor_shares;
  distractor_captions += o.distractor_captions;
  distractor_hallucinating += o.distractor_hallucinating;
  for (const auto& [kind, t] : o.following) {
    FollowTally& into = following[kind];
    into.captions += t.captions;
    into.followed += t.followed;
  }
  return *this;
}

std::vector<TalliedMetric> tallied_metrics(size_t layers) {
  using T = ImageTallies;
  std::vector<TalliedMetric> out;
  auto add = [&](std::string key, std::function<std::optional<double>(const T&)> value) {
    out.push_back({std::move(key), std::move(value)});
  };
  // The caption metrics are defined for any non-empty sum; a resample is never empty.
  for (size_t n = 0; n < 4; ++n)
    add("bleu_" + std::to_string(n + 1), [n](const T& t) { return t.captions.bleu.bleu()[n]; });
  add("meteor", [](const T& t) { return optional_ratio(t.captions.meteor, static_cast<double>(t.captions.images)); });
  add("rouge_l", [](const T& t) { return optional_ratio(t.captions.rouge_l, static_cast<double>(t.captions.images)); });
  add("cider_d", [](const T& t) { return optional_ratio(t.captions.cider_d, static_cast<double>(t.captions.images)); });
  add("object_precision", [](const T& t) { return t.mentions.precision(); });
  add("object_recall", [](const T& t) { return t.mentions.recall(); });
  add("object_f1", [](const T& t) { return t.mentions.f1(); });
  add("hallucination_rate", [](const T& t) {
    return optional_ratio(static_cast<double>(t.hallucinating_captions), static_cast<double>(t.images));
  });
  add("no_repeat_rate", [](const T& t) {
    return optional_ratio(static_cast<double>(t.images - t.repeating_captions), static_cast<double>(t.images));
  });
  add("distractor_hallucination_rate", [](const T& t) {
    return optional_ratio(static_cast<double>(t.distractor_hallucinating), static_cast<double>(t.distractor_captions));
  });
  for (const std::string& kind : followed_context_kinds())
    add(kind + "_followed", [kind](const T& t) {
      const auto it = t.following.find(kind);
      return it == t.following.end() ? std::nullopt : it->second.rate();
    });
  add("image_share", [](const T& t) { return t.shares.image(); });
  add("context_share", [](const T& t) { return t.shares.context(); });
  add("image_share_distractor", [](const T& t) { return t.distractor_shares.image(); });
  add("context_share_distractor", [](const T& t) { return t.distractor_shares.context(); });
  for (const bool predicted : {true, false}) {
    const std::string step = predicted ? "pointing_predicted_" : "pointing_input_";
    auto pick = [predicted](const T& t) -> const PointingStep& {
      return predicted ? t.pointing.predicted : t.pointing.input;
    };
    add(step + "all", [pick](const T& t) { return pick(t).all.accuracy(); });
    for (size_t l = 0; l < layers; ++l)
      add(step + "layer_" + std::to_string(l + 1), [pick, l](const T& t) {
        const auto& by = pick(t).by_layer;
        return l < by.size() ? by[l].accuracy() : std::nullopt;
      });
    add(step + "chance", [pick](const T& t) { return pick(t).all.chance(); });
  }
  return out;
}

}  // namespace glimpse::eval
