#include "attention_maps.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace glimpse::gui {

const StepAttention& step_of(const Word& word, StepKind step) {
  return step == StepKind::Input ? word.as_input : word.predicted;
}

std::vector<float> word_weights(const Word& word, const MapSettings& s) {
  const StepAttention& a = step_of(word, s.step);
  if (a.empty()) return {};
  const int layer = s.layer < a.layers ? s.layer : -1;
  const int head = s.head < a.heads ? s.head : -1;
  return a.image_map(layer, head);
}

AttentionMap upload_map(MapPixels pixels) {
  AttentionMap m;
  if (pixels.weights.empty()) return m;
  m.texture = Texture::from_rgba(pixels.width, pixels.height, pixels.rgba);
  m.scale_top = pixels.scale_top;
  m.argmax = pixels.argmax;
  m.weights = std::move(pixels.weights);
  return m;
}

AttentionMap draw_map(const PatchGrid& grid, std::vector<float> weights, const MapSettings& settings,
                      int max_side) {
  return upload_map(paint_map(grid, std::move(weights), settings, max_side));
}

AttentionMap draw_difference(const PatchGrid& grid, const std::vector<float>& a,
                             const std::vector<float>& b, int max_side) {
  AttentionMap m;
  if (a.size() != b.size() || a.empty() || static_cast<int>(a.size()) != grid.size()) return m;
  std::vector<float> diff(a.size()), positive(a.size()), negative(a.size());
  float top = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) {
    diff[i] = a[i] - b[i];
    top = std::max(top, std::abs(diff[i]));
  }
  if (top <= 0.0f) top = 1.0f;
  // Split by sign so that each half is a plain [0, 1] map for heat_map's Fixed scale.
  for (size_t i = 0; i < a.size(); ++i) {
    positive[i] = std::max(diff[i], 0.0f) / top;
    negative[i] = std::max(-diff[i], 0.0f) / top;
  }
  const HeatMap pos = heat_map(grid, positive, Normalization::Fixed, max_side);
  const HeatMap neg = heat_map(grid, negative, Normalization::Fixed, max_side);
  m.texture = Texture::from_rgba(pos.width, pos.height, colorize_signed(pos, neg));
  m.scale_top = top;
  m.argmax = argmax_patch(positive);
  m.weights = std::move(diff);
  return m;
}

bool WordMaps::update(const std::shared_ptr<const CaptionResult>& result, int hypothesis,
                      const MapSettings& settings, int max_side) {
  if (result != result_ || hypothesis != hypothesis_ || !(settings == settings_) ||
      max_side != max_side_) {
    if (result != result_ || hypothesis != hypothesis_)
      maps_.clear();  // another caption's words: nothing is better than the wrong maps
    result_ = result;
    hypothesis_ = hypothesis;
    settings_ = settings;
    max_side_ = max_side;
    painter_.request({++requests_, result, hypothesis, settings, max_side});
    pending_ = true;
  }
  if (auto painted = painter_.take()) {
    const auto start = std::chrono::steady_clock::now();
    maps_.clear();
    for (MapPixels& px : painted->words) maps_.push_back(upload_map(std::move(px)));
    build_ms_ = painted->paint_ms +
                std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
    pending_ = false;
    return true;
  }
  return false;
}

const AttentionMap* WordMaps::at(int word) const {
  if (word < 0 || word >= size()) return nullptr;
  const AttentionMap& m = maps_[static_cast<size_t>(word)];
  return m.empty() ? nullptr : &m;
}

bool LayerHeadMaps::update(const std::shared_ptr<const CaptionResult>& result, int hypothesis,
                           int word, const MapSettings& settings, int max_side) {
  // Layer and head pickers do not change this view: every layer and head is in it.
  MapSettings key = settings;
  key.layer = key.head = 0;
  if (result == result_ && hypothesis == hypothesis_ && word == word_ && key == settings_ &&
      max_side == max_side_)
    return false;
  result_ = result;
  hypothesis_ = hypothesis;
  word_ = word;
  settings_ = key;
  max_side_ = max_side;
  maps_.clear();
  layers_ = heads_ = 0;
  if (!result || hypothesis < 0 || hypothesis >= static_cast<int>(result->hypotheses.size()))
    return true;
  const Caption& c = result->hypotheses[static_cast<size_t>(hypothesis)];
  if (word < 0 || word >= static_cast<int>(c.words.size())) return true;
  const StepAttention& a = step_of(c.words[static_cast<size_t>(word)], settings.step);
  if (a.empty()) return true;
  layers_ = a.layers;
  heads_ = a.heads;
  for (int row = 0; row <= layers_; ++row) {
    const int layer = row < layers_ ? row : -1;
    for (int col = 0; col < heads_ + 2; ++col) {
      const int head = col < heads_ ? col : (col == heads_ ? -1 : -2);
      maps_.push_back(draw_map(result->grid, a.image_map(layer, head), settings, max_side));
    }
  }
  return true;
}

const AttentionMap* LayerHeadMaps::at(int row, int column) const {
  if (row < 0 || column < 0 || column >= heads_ + 2) return nullptr;
  const size_t i =
      static_cast<size_t>(row) * static_cast<size_t>(heads_ + 2) + static_cast<size_t>(column);
  if (i >= maps_.size()) return nullptr;
  return maps_[i].empty() ? nullptr : &maps_[i];
}

}  // namespace glimpse::gui

namespace glimpse::gui {
std::vector<float> mass_on_patches(const WordMaps& maps, const std::vector<int>& patches) {
  std::vector<float> mass(static_cast<size_t>(maps.size()), 0.0f);
  for (int w = 0; w < maps.size(); ++w)
    if (const AttentionMap* m = maps.at(w))
      for (int p : patches)
        if (p >= 0 && p < static_cast<int>(m->weights.size())) mass[static_cast<size_t>(w)] += m->weights[static_cast<size_t>(p)];
  return mass;
}
}  // namespace glimpse::gui

namespace glimpse::gui {
bool DifferenceMaps::update(const std::shared_ptr<const CaptionResult>& a, int hypothesis_a,
                            const std::shared_ptr<const CaptionResult>& b,
                            const MapSettings& settings, int max_side) {
  if (a == a_ && b == b_ && hypothesis_a == hypothesis_a_ && settings == settings_ &&
      max_side == max_side_)
    return false;
  a_ = a;
  b_ = b;
  hypothesis_a_ = hypothesis_a;
  settings_ = settings;
  max_side_ = max_side;
  maps_.clear();
  if (!a || !b || b->hypotheses.empty() || hypothesis_a < 0 ||
      hypothesis_a >= static_cast<int>(a->hypotheses.size()))
    return true;
  const auto& wa = a->hypotheses[static_cast<size_t>(hypothesis_a)].words;
  const auto& wb = b->best().words;
  for (size_t i = 0; i < std::min(wa.size(), wb.size()); ++i)
    maps_.push_back(draw_difference(a->grid, word_weights(wa[i], settings),
                                    word_weights(wb[i], settings), max_side));
  return true;
}

const AttentionMap* DifferenceMaps::at(int word) const {
  if (word < 0 || word >= static_cast<int>(maps_.size())) return nullptr;
  const AttentionMap& m = maps_[static_cast<size_t>(word)];
  return m.empty() ? nullptr : &m;
}
}  // namespace glimpse::gui
