#include "map_painter.h"

#include <chrono>
#include <utility>

#include "attention_maps.h"
#include "textures.h"

namespace glimpse::gui {

MapPixels paint_map(const PatchGrid& grid, std::vector<float> weights, const MapSettings& settings,
                    int max_side) {
  MapPixels m;
  if (weights.empty() || static_cast<int>(weights.size()) != grid.size()) return m;
  const HeatMap heat = heat_map(grid, weights, settings.normalization, max_side);
  m.width = heat.width;
  m.height = heat.height;
  m.rgba = colorize(heat, settings.color_map, settings.fade);
  m.scale_top = heat.scale_top;
  m.argmax = argmax_patch(weights);
  m.weights = std::move(weights);
  return m;
}

MapPainter::MapPainter() : thread_([this] { run(); }) {}

MapPainter::~MapPainter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void MapPainter::request(PaintRequest request) {
  {
    std::lock_guard lock(mutex_);
    newest_ = request.id;
    next_ = std::move(request);
  }
  wake_.notify_one();
}

std::optional<PaintedMaps> MapPainter::take() {
  std::lock_guard lock(mutex_);
  if (!done_ || done_->id != newest_) return std::nullopt;  // none yet, or superseded
  return std::exchange(done_, std::nullopt);
}

void MapPainter::run() {
  for (;;) {
    PaintRequest r;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || next_.has_value(); });
      if (stop_) return;
      r = std::move(*std::exchange(next_, std::nullopt));
    }
    const auto start = std::chrono::steady_clock::now();
    PaintedMaps out;
    out.id = r.id;
    if (r.result && r.hypothesis >= 0 && r.hypothesis < static_cast<int>(r.result->hypotheses.size()))
      for (const Word& w : r.result->hypotheses[static_cast<size_t>(r.hypothesis)].words)
        out.words.push_back(paint_map(r.result->grid, word_weights(w, r.settings), r.settings, r.max_side));
    out.paint_ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(mutex_);
    if (out.id == newest_) done_ = std::move(out);
  }
}

}  // namespace glimpse::gui
