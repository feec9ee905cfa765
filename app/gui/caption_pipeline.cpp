#include "caption_pipeline.h"

#include <chrono>

namespace glimpse::gui {
namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

bool same_request(const CaptionRequest& a, const CaptionRequest& b) {
  return a.slot == b.slot && a.model_path == b.model_path && a.image_path == b.image_path &&
         a.context == b.context && a.settings == b.settings &&
         a.forced_caption == b.forced_caption;
}

std::shared_ptr<const Model> CaptionPipeline::model(const std::string& path) {
  if (auto it = models_.find(path); it != models_.end()) return it->second;
  auto loaded = Model::load(path);
  // A handful of checkpoints at most (the shipped five and what the user picks).
  if (models_.size() >= 8) models_.erase(models_.begin());
  models_[path] = loaded;
  return loaded;
}

std::shared_ptr<const Image> CaptionPipeline::image(const std::string& path) {
  std::error_code ec;
  const auto written = std::filesystem::last_write_time(path, ec);
  if (auto it = images_.find(path); it != images_.end() && !ec && it->second.written == written)
    return it->second.image;
  auto loaded = std::make_shared<const Image>(load_image(path));
  if (images_.size() >= 4) images_.erase(images_.begin());
  images_[path] = {written, loaded};
  return loaded;
}

Encoding CaptionPipeline::encoding(int cache, const std::shared_ptr<const Model>& model,
                                   const std::shared_ptr<const Image>& image,
                                   const std::string& context, bool& encoder_skipped) {
  CachedEncoding& cached = encodings_[cache];
  if (cached.model == model.get() && cached.image == image.get() && cached.encoding.valid()) {
    encoder_skipped = true;
    if (cached.encoding.context() != context)
      cached.encoding = model->with_context(cached.encoding, context);
    return cached.encoding;
  }
  encoder_skipped = false;
  cached = {model.get(), image.get(), model->encode(*image, context)};
  return cached.encoding;
}

CaptionOutcome CaptionPipeline::run(const CaptionRequest& request, const DecodeControl& control) {
  CaptionOutcome out;
  out.request = request;
  // The forced slot reads the same model and picture as slot B: it shares B's encoding.
  const int cache = request.slot == Slot::A ? 0 : 1;
  const char* stage = "model";
  out.failed = FailedStage::Model;
  try {
    out.model = model(request.model_path);
    stage = "image";
    out.failed = FailedStage::Image;
    out.image = image(request.image_path);
    stage = "encoding";
    out.failed = FailedStage::Caption;
    auto start = std::chrono::steady_clock::now();
    Encoding enc = encoding(cache, out.model, out.image, request.context, out.encoder_skipped);
    out.encode_ms = ms_since(start);
    stage = "decoding";
    start = std::chrono::steady_clock::now();
    CaptionResult result = request.forced_caption.empty()
                               ? out.model->decode(enc, request.settings, control)
                               : out.model->score(enc, request.forced_caption, request.settings,
                                                  control);
    out.decode_ms = ms_since(start);
    out.result = std::make_shared<const CaptionResult>(std::move(result));
    out.failed = FailedStage::None;
  } catch (const Cancelled&) {
    out.cancelled = true;
    out.failed = FailedStage::None;
  } catch (const std::exception& e) {
    out.error = std::string(stage) + ": " + e.what();
  }
  return out;
}

}  // namespace glimpse::gui
