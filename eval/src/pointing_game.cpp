#include "glimpse/eval/pointing_game.h"

#include <algorithm>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/eval/optional_ratio.h"

namespace glimpse::eval {

std::optional<double> PointingTally::accuracy() const {
  return optional_ratio(static_cast<double>(hits), static_cast<double>(trials));
}

std::optional<double> PointingTally::chance() const { return optional_ratio(chance_sum, static_cast<double>(trials)); }

PointingTally& PointingTally::operator+=(const PointingTally& o) {
  hits += o.hits;
  trials += o.trials;
  chance_sum += o.chance_sum;
  return *this;
}

std::vector<vision::PixelBox> pointing_targets(const Mention& mention,
                                               const std::vector<vision::ObjectBox>& objects,
                                               const vision::PatchGrid& grid, float tolerance) {
  const float tol = tolerance * static_cast<float>(std::max(grid.image_width, grid.image_height));
  std::vector<vision::PixelBox> targets;
  for (const vision::ObjectBox& o : objects)
    if (std::binary_search(mention.candidates.begin(), mention.candidates.end(), o.name))
      targets.push_back({o.x - tol, o.y - tol, o.x + o.w + tol, o.y + o.h + tol});
  return targets;
}

bool patch_hits(const vision::PixelBox& patch, const std::vector<vision::PixelBox>& targets) {
  if (!(patch.x1 > patch.x0 && patch.y1 > patch.y0)) return false;
  const float cx = 0.5f * (patch.x0 + patch.x1), cy = 0.5f * (patch.y0 + patch.y1);
  return std::any_of(targets.begin(), targets.end(), [&](const vision::PixelBox& t) {
    return cx >= t.x0 && cx <= t.x1 && cy >= t.y0 && cy <= t.y1;
  });
}

int64_t pointed_patch(const std::vector<float>& image, int layers, int heads, int64_t N, int layer) {
  const int first = layer < 0 ? 0 : layer, last = layer < 0 ? layers : layer + 1;
  std::vector<double> map(static_cast<size_t>(N), 0.0);
  for (int l = first; l < last; ++l)
    for (int h = 0; h < heads; ++h) {
      const size_t row = static_cast<size_t>(l * heads + h) * static_cast<size_t>(N);
      for (size_t j = 0; j < map.size(); ++j) map[j] += image[row + j];
    }
  return std::max_element(map.begin(), map.end()) - map.begin();
}

PointingGame::PointingGame(int layers, int heads, PointingOptions options)
    : layers_(layers), heads_(heads), options_(options) {
  check(layers > 0 && heads > 0, "PointingGame",
        "needs at least one layer and head, got " + std::to_string(layers) + " x " + std::to_string(heads));
  check(options.tolerance >= 0.0f, "PointingGame", "tolerance must not be negative");
  result_.predicted.by_layer.resize(static_cast<size_t>(layers));
  result_.input.by_layer.resize(static_cast<size_t>(layers));
}

void PointingGame::add_trial(const model::StepRecord& step, const vision::PatchGrid& grid,
                             const std::vector<vision::PixelBox>& targets, double chance,
                             PointingStep& into) const {
  const int64_t N = static_cast<int64_t>(grid.boxes.size());
  check(step.image.size() == static_cast<size_t>(layers_ * heads_ * N), "PointingGame",
        "step record has " + std::to_string(step.image.size()) + " image weights, expected " +
            std::to_string(layers_) + " layers x " + std::to_string(heads_) + " heads x " +
            std::to_string(N) + " patches");
  auto tally = [&](PointingTally& t, int layer) {
    const int64_t p = pointed_patch(step.image, layers_, heads_, N, layer);
    t.hits += patch_hits(grid.boxes[static_cast<size_t>(p)], targets) ? 1 : 0;
    t.trials += 1;
    t.chance_sum += chance;
  };
  for (int l = 0; l < layers_; ++l) tally(into.by_layer[static_cast<size_t>(l)], l);
  tally(into.all, -1);
}

void PointingGame::add(const std::vector<std::string>& words, const std::vector<model::StepRecord>& steps,
                       const vision::PatchGrid& grid, const std::vector<vision::ObjectBox>& objects,
                       const std::vector<Mention>& mentions) {
  for (const Mention& m : mentions) {
    const std::vector<vision::PixelBox> targets = pointing_targets(m, objects, grid, options_.tolerance);
    if (targets.empty()) continue;  // a hallucinated object: nothing to point at
    int64_t shown = 0, hitting = 0;
    for (const vision::PixelBox& b : grid.boxes) {
      if (!(b.x1 > b.x0 && b.y1 > b.y0)) continue;
      ++shown;
      hitting += patch_hits(b, targets) ? 1 : 0;
    }
    const double chance = shown > 0 ? static_cast<double>(hitting) / static_cast<double>(shown) : 0.0;
    const size_t word = static_cast<size_t>(m.last);
    check(word < words.size() && word < steps.size(), "PointingGame",
          "mention ends at word " + std::to_string(word) + " but the caption has " +
              std::to_string(steps.size()) + " step records");
    add_trial(steps[word], grid, targets, chance, result_.predicted);
    if (word + 1 < steps.size()) add_trial(steps[word + 1], grid, targets, chance, result_.input);
  }
}

}  // namespace glimpse::eval
