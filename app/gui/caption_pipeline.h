// The worker thread's side of captioning: loads models and pictures, encodes, decodes. Keeps
// what it loaded so that a new context or new decoding settings skip the image encoder
// (Model::with_context) and a model picked again is not read again. Used by one thread only.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "caption_request.h"

namespace glimpse::gui {

class CaptionPipeline {
 public:
  CaptionOutcome run(const CaptionRequest& request, const DecodeControl& control);

 private:
  std::shared_ptr<const Model> model(const std::string& path);
  std::shared_ptr<const Image> image(const std::string& path);
  // `cache`: which cached encoding to reuse (one per model slot).
  Encoding encoding(int cache, const std::shared_ptr<const Model>& model,
                    const std::shared_ptr<const Image>& image, const std::string& context,
                    bool& encoder_skipped);

  struct CachedImage {
    std::filesystem::file_time_type written;
    std::shared_ptr<const Image> image;
  };
  struct CachedEncoding {
    const Model* model = nullptr;
    const Image* image = nullptr;
    Encoding encoding;  // the picture with some context; with_context() swaps the context
  };
  std::map<std::string, std::shared_ptr<const Model>> models_;
  std::map<std::string, CachedImage> images_;
  std::map<int, CachedEncoding> encodings_;  // each model slot keeps its last picture
};

}  // namespace glimpse::gui
