// Captions a batch of images with an in-memory model, keeping every step's attention record:
// prepare_image -> patches -> CaptionModel::encode (with each image's own context text) ->
// model::decode. The same pipeline as glimpse::Captioner, without needing a model file, so
// the trainer can validate the model it is training.
#pragma once

#include <string>
#include <vector>

#include "glimpse/eval/object_mention_ban.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::eval {

// A generated caption with what grounding needs.
struct GeneratedCaption {
  std::vector<std::string> words;        // one vocabulary token per decoded word
  std::vector<model::StepRecord> steps;  // steps[i] predicted words[i]; the <eos> step is kept,
                                         // so words[i] is the input at steps[i + 1]
  vision::PatchGrid grid;                // patch -> box on the original picture
  std::string text() const;              // the words joined with spaces
};

// `contexts`: one context text per image ("" for none), or empty for no context at all.
// `mention_ban`, when given, is the decoding's word ban (options.word_ban is then not read);
// its unseen-object rule reads the model's object head on these images. Throws glimpse::Error
// for a null image, a vocabulary that does not fit the model, bad decode options, or an
// unseen-object rule for a model without an object head.
std::vector<GeneratedCaption> caption_batch(model::CaptionModel& model, const text::Vocabulary& vocab,
                                            const std::vector<const vision::Image*>& images,
                                            const std::vector<std::string>& contexts,
                                            const model::DecodeOptions& options,
                                            const ObjectMentionBan* mention_ban = nullptr);

}  // namespace glimpse::eval
