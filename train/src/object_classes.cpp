#include "glimpse/train/object_classes.h"

#include <algorithm>

namespace glimpse::train {

ObjectClasses::ObjectClasses(const vision::CaptionDataset& data) {
  for (const auto& image : data.images)
    for (const auto& object : image.objects) names_.push_back(object.name);
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
}

int32_t ObjectClasses::id(const std::string& name) const {
  const auto it = std::lower_bound(names_.begin(), names_.end(), name);
  if (it == names_.end() || *it != name) return kBackground;
  return static_cast<int32_t>(it - names_.begin()) + 1;
}

std::vector<int32_t> patch_object_labels(const std::vector<vision::ObjectBox>& objects,
                                         const vision::PatchGrid& grid, const ObjectClasses& classes) {
  std::vector<int32_t> labels(grid.boxes.size(), ObjectClasses::kBackground);
  for (size_t p = 0; p < grid.boxes.size(); ++p) {
    const vision::PixelBox& box = grid.boxes[p];
    if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
    const float cx = 0.5f * (box.x0 + box.x1), cy = 0.5f * (box.y0 + box.y1);
    for (const auto& object : objects)
      if (cx >= object.x && cx < object.x + object.w && cy >= object.y && cy < object.y + object.h)
        labels[p] = classes.id(object.name);
  }
  return labels;
}

}  // namespace glimpse::train
