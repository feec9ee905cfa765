// Attention supervision (`glimpse train --attention-loss W`): the step that predicts an
// object's word is taught to look at that object.
//
// Why: the pointing game (eval/pointing_game.h) scores the decode step that chooses an
// object's word by the argmax patch of its layer- and head-mean image attention. The caption
// loss alone does not care which patches that step reads, as long as the word comes out: a
// neighbouring object, the background or the context text may predict it as well, and the
// shipped models' pointing stayed near 0.66 however long they trained. The scene datasets know
// every object's box, so the trainer can say where the word should look, as Liu et al. do with
// segmentation masks ("Attention correctness in neural image captioning", AAAI 2017).
//
// Targets: in every training caption, each word that completes a mention of an object of its
// scene (ObjectLexicon::find_mentions: the pointing game's trials), at the target position that
// predicts it, with the patches whose centre lies on a copy of a matched object, the box grown
// by the pointing tolerance: the patches the pointing game counts as hits.
//
// Loss of one target row: with A the mean over decoder layers and heads of the row's attention
// over the N image patches (the first N keys of each layer's image attention),
//   loss = -log((sum_{p in hits} A_p + eps) / (sum_p A_p + eps))
// the share of the image attention that lies on the object. It is a share of the image part
// so that concat's joint softmax is not pushed off the context tokens (its image part need not
// sum to 1; for the other strategies the denominator is 1). Supervising the mean map leaves the
// layers and heads free to divide the work. The batch loss is the mean over target rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::train {

struct AttentionTargets {
  int64_t patches = 0;            // N, the model's patch count
  std::vector<int64_t> rows;      // b * T + t: the target position of caption b that predicts the word
  std::vector<uint8_t> hits;      // [rows.size() * N]: 1 where the patch centre lies on the object

  int64_t count() const { return static_cast<int64_t>(rows.size()); }
};

// Adds the targets of one caption: `words` its tokens (text::tokenize), of which the first
// `kept_words` were kept in the batch (the rest cut at the model's length), row b * T + i for
// word i; `grid` the patch boxes of its picture, `objects` the scene's boxes. Words that name
// no object of the scene (an absent object, a colour) add nothing.
void add_attention_targets(const eval::ObjectLexicon& lexicon, const std::vector<std::string>& words,
                           int64_t kept_words, int64_t first_row, const vision::PatchGrid& grid,
                           const std::vector<vision::ObjectBox>& objects, float tolerance,
                           AttentionTargets& into);

class AttentionLoss {
 public:
  static constexpr double kEps = 1e-6;

  // After model.forward(): the mean loss over the target rows (0 without any), from every
  // decoder layer's image attention.
  float forward(const model::CaptionModel& model, const AttentionTargets& targets);
  int64_t counted() const { return static_cast<int64_t>(image_share_.size()); }
  // Writes the gradient of scale * (sum of the row losses) into each layer's image attention's
  // probability_grad(), for model.backward() to carry on. After forward() with the same targets.
  void backward(model::CaptionModel& model, const AttentionTargets& targets, float scale) const;

 private:
  // Per target row: the layer- and head-mean attention on the hit patches and on all patches.
  std::vector<double> hit_share_, image_share_;
};

}  // namespace glimpse::train
