// Paints a caption's word maps (heat map + colours, pure CPU work) on a thread of its own, so
// that a new caption or a new layer, head or colour map never stalls the UI thread. The
// newest request wins: one asked for while another is being painted replaces it, and the UI
// thread only uploads finished pixels as textures.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "gui_state.h"

namespace glimpse::gui {

// One word's map before upload: what draw_map() makes, without the GL texture.
struct MapPixels {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  float scale_top = 0.0f;
  int argmax = -1;
  std::vector<float> weights;  // empty: the step has no record
};

MapPixels paint_map(const PatchGrid& grid, std::vector<float> weights, const MapSettings& settings,
                    int max_side);

struct PaintRequest {
  uint64_t id = 0;
  std::shared_ptr<const CaptionResult> result;  // immutable: safe to read on the painter thread
  int hypothesis = 0;
  MapSettings settings;
  int max_side = 0;
};

struct PaintedMaps {
  uint64_t id = 0;
  std::vector<MapPixels> words;
  float paint_ms = 0.0f;
};

class MapPainter {
 public:
  MapPainter();
  ~MapPainter();  // stops and joins the thread
  MapPainter(const MapPainter&) = delete;
  MapPainter& operator=(const MapPainter&) = delete;

  void request(PaintRequest request);
  // The maps of the newest request once they are painted (then nothing until the next one).
  std::optional<PaintedMaps> take();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<PaintRequest> next_;
  std::optional<PaintedMaps> done_;
  uint64_t newest_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace glimpse::gui
