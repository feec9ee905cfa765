#include "glimpse/model/input_batch.h"

#include <algorithm>
#include <exception>

#include "glimpse/core/error.h"

namespace glimpse::model {

ModelInputs InputBatch::inputs() const {
  ModelInputs in;
  in.batch = batch;
  in.patches = &patches;
  in.context_len = context_len;
  in.context_ids = context_len > 0 ? context_ids.data() : nullptr;
  in.context_padding = context_len > 0 ? context_padding.data() : nullptr;
  return in;
}

InputBatch make_input_batch(const std::vector<const vision::Image*>& images,
                            const std::vector<std::string>& contexts,
                            const text::Vocabulary& vocab, const ModelConfig& config) {
  const int64_t B = static_cast<int64_t>(images.size());
  check(B > 0, "make_input_batch", "no images");
  check(contexts.empty() || contexts.size() == images.size(), "make_input_batch",
        std::to_string(contexts.size()) + " contexts for " + std::to_string(B) + " images");
  for (const vision::Image* image : images) check(image != nullptr, "make_input_batch", "null image");
  InputBatch b;
  b.batch = B;

  // Contexts, padded to the longest.
  b.contexts.resize(images.size());
  for (size_t i = 0; i < contexts.size(); ++i) {
    b.contexts[i] = vocab.encode(contexts[i], config.max_context_len);
    b.context_len = std::max(b.context_len, static_cast<int64_t>(b.contexts[i].ids.size()));
  }
  const size_t Lc = static_cast<size_t>(b.context_len);
  b.context_ids.assign(images.size() * Lc, text::Vocabulary::kPad);
  b.context_padding.assign(images.size() * Lc, 1);
  for (size_t i = 0; i < b.contexts.size(); ++i)
    for (size_t t = 0; t < b.contexts[i].ids.size(); ++t) {
      b.context_ids[i * Lc + t] = b.contexts[i].ids[t];
      b.context_padding[i * Lc + t] = 0;
    }

  // Pixels -> patches, one image per iteration.
  const int64_t N = config.image.num_patches(), pd = config.image.patch_dim();
  b.patches.resize({B * N, pd});
  b.grids.resize(images.size());
  std::vector<std::exception_ptr> errors(images.size());
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < B; ++i) {
    try {
      vision::PreparedImage p = vision::prepare_image(*images[static_cast<size_t>(i)], config.image);
      std::copy(p.patches.data(), p.patches.data() + N * pd, b.patches.data() + i * N * pd);
      b.grids[static_cast<size_t>(i)] = std::move(p.grid);
    } catch (...) {
      errors[static_cast<size_t>(i)] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return b;
}

}  // namespace glimpse::model
