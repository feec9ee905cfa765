// Patch-level object labels for the auxiliary object loss (`glimpse train --object-loss W`).
//
// Why: a caption names each object with one or two tokens, and their gradient reaches the image
// encoder only through cross-attention that is still diffuse early in training, so the encoder
// learns *which* object it sees far more slowly than the decoder learns the grammar. The scene
// datasets know every object's box, so each patch gets a label of its own: the object whose box
// holds the patch centre (the last-listed one where boxes overlap: scenes list objects in
// drawing order, so that is the one on top), or background. A linear head on the image memory
// (CaptionModel's object_head) is trained on these labels beside the caption loss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::train {

class ObjectClasses {
 public:
  static constexpr int32_t kBackground = 0;

  // Class 0 is background; classes 1.. are the distinct object names of `data`, sorted, so the
  // numbering is a function of the dataset alone (a resumed run gets the same one).
  explicit ObjectClasses(const vision::CaptionDataset& data);

  int64_t size() const { return static_cast<int64_t>(names_.size()) + 1; }
  // The class of an object name; kBackground for a name the training data did not have.
  int32_t id(const std::string& name) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;  // sorted; class i+1 is names_[i]
};

// One label per patch of `grid` (row-major): the class of the last object in `objects` whose
// box holds the patch centre, else background. Patches wholly in letterbox padding (empty
// boxes) are background.
std::vector<int32_t> patch_object_labels(const std::vector<vision::ObjectBox>& objects,
                                         const vision::PatchGrid& grid, const ObjectClasses& classes);

}  // namespace glimpse::train
