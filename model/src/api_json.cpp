// The `glimpse caption --json` record (glimpse.h: caption_json), shared by the CLI and the
// desktop app's export so that both write one schema.
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/glimpse.h"

namespace glimpse {
namespace {

using nlohmann::json;

json attention_json(const StepAttention& a, bool per_layer) {
  json j = {{"image_attention", a.image},
            {"context_attention", a.context},
            {"image_share", a.image_share},
            {"image_entropy", a.image_entropy},
            {"image_entropy_normalised", a.image_entropy_normalised}};
  if (!a.top.empty()) {
    json top = json::array();
    for (const Alternative& t : a.top) top.push_back({{"text", t.text}, {"logprob", t.logprob}});
    j["top"] = top;
  }
  if (!per_layer) return j;
  json layers = json::array();
  const size_t N = a.image.size(), Lc = a.context.size();
  for (int l = 0; l < a.layers; ++l) {
    json heads_img = json::array(), heads_ctx = json::array();
    for (int h = 0; h < a.heads; ++h) {
      const auto row = static_cast<std::ptrdiff_t>(l) * a.heads + h;
      heads_img.push_back(std::vector<float>(a.image_by_head.begin() + row * static_cast<std::ptrdiff_t>(N),
                                             a.image_by_head.begin() + (row + 1) * static_cast<std::ptrdiff_t>(N)));
      heads_ctx.push_back(std::vector<float>(a.context_by_head.begin() + row * static_cast<std::ptrdiff_t>(Lc),
                                             a.context_by_head.begin() + (row + 1) * static_cast<std::ptrdiff_t>(Lc)));
    }
    layers.push_back({{"image_attention", heads_img},
                      {"context_attention", heads_ctx},
                      {"image_share", a.image_share_by_layer[static_cast<size_t>(l)]}});
  }
  j["layers"] = layers;
  return j;
}

json caption_record(const Caption& c, bool per_layer) {
  json tokens = json::array();
  for (const Word& w : c.words) {
    json t = {{"text", w.text}, {"logprob", w.logprob}};
    t.update(attention_json(w.predicted, per_layer));
    if (!w.as_input.empty()) t["as_input"] = attention_json(w.as_input, per_layer);
    tokens.push_back(t);
  }
  return {{"caption", c.text}, {"score", c.score}, {"logprob", c.logprob},
          {"finished", c.finished}, {"tokens", tokens}};
}

}  // namespace

std::string caption_json(const std::string& image_path, const ModelCard& card,
                         const CaptionResult& r, const JsonOptions& options) {
  json boxes = json::array();
  for (const auto& b : r.grid.boxes) boxes.push_back({b.x0, b.y0, b.x1, b.y1});
  json j = {{"image", image_path},
            {"model", card.path},
            {"fusion", fusion_name(card.fusion)},
            {"grid", {r.grid.rows, r.grid.cols}},
            {"patch_boxes", boxes},
            {"context_tokens", r.context_tokens}};
  j.update(caption_record(r.best(), options.per_layer));
  if (options.all_hypotheses) {
    json hyps = json::array();
    for (const Caption& c : r.hypotheses) hyps.push_back(caption_record(c, options.per_layer));
    j["hypotheses"] = hyps;
  }
  if (!r.gates.empty()) j["gates"] = r.gates;
  if (r.context_dropped_tokens > 0) j["context_dropped_tokens"] = r.context_dropped_tokens;
  if (!options.extra_json.empty()) {
    const json extra = json::parse(options.extra_json, nullptr, /*allow_exceptions=*/false);
    check(extra.is_object(), "caption_json", "extra_json is not a JSON object");
    j.update(extra);
  }
  return j.dump(2);
}

}  // namespace glimpse
