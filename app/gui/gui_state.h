// Everything the UI shows and edits, in one place. Widgets take the part they edit; the
// textures drawn from it are caches elsewhere (view_caches.h), rebuilt when this changes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caption_request.h"
#include "glimpse/glimpse.h"
#include "layout_report.h"
#include "settings.h"

namespace glimpse::gui {

enum class View { Overlay, Grid, Sheet, Compare, Fusion, Model };
inline constexpr std::array<const char*, 6> kViewNames = {"overlay", "grid",   "sheet",
                                                          "compare", "fusion", "model"};
std::optional<View> view_from_name(const std::string& name);

// Which step of a word the maps show: the one that chose it, or the next one, where it is the
// decoder's input.
enum class StepKind { Predicted, Input };

// Which attention map of a word is drawn, and its colours: every word's texture depends on it.
struct MapSettings {
  int layer = -1;  // -1: mean over layers
  int head = -1;   // -1: mean over heads, -2: max over heads
  StepKind step = StepKind::Predicted;
  ColorMap color_map = ColorMap::Inferno;
  Normalization normalization = Normalization::Max;
  bool fade = true;  // low weights transparent (see textures.h colorize)
  bool operator==(const MapSettings&) const = default;
};

// How the overlay is drawn over the picture: none of it recolours a texture.
struct OverlayLook {
  float alpha = 0.7f;
  bool grid_lines = false;
  bool outline_argmax = true;
  bool scale_bar = true;
};

// Zoom and pan of an image panel; zoom 1 fits the picture to the panel.
struct ImageViewState {
  float zoom = 1.0f;
  float pan_x = 0.0f, pan_y = 0.0f;  // offset of the picture's centre, screen pixels
  bool box_selecting = false;        // shift-drag in progress, from (box_x, box_y) picture px
  float box_x = 0.0f, box_y = 0.0f;
};

// One model and the caption it last produced for the current picture.
struct CaptionSlot {
  std::string model_path;                 // the model in use (it loaded)
  std::shared_ptr<const Model> model;
  std::shared_ptr<const Image> image;     // the picture `result` belongs to
  std::string image_path;
  std::shared_ptr<const CaptionResult> result;
  CaptionRequest produced_by;             // the request `result` answers
  int hypothesis = 0;                     // beam: which hypothesis the maps show
  uint64_t pending_job = 0;               // 0: nothing running for this slot
  std::string pending_what;               // what the spinner says ("captioning" ...)
  std::shared_ptr<const JobProgress> progress;
  std::string error;                      // the last failure of this slot ("" = none)
  double encode_ms = 0, decode_ms = 0;
  bool encoder_skipped = false;

  bool busy() const { return pending_job != 0; }
  const Caption* caption() const {
    return result && hypothesis < static_cast<int>(result->hypotheses.size())
               ? &result->hypotheses[static_cast<size_t>(hypothesis)]
               : nullptr;
  }
};

struct FrameTimes {
  std::vector<float> frame_ms;  // recent frames, oldest first
  float last_word_switch_ms = 0;
  float last_maps_build_ms = 0;
  void add(float ms) {
    if (frame_ms.size() >= 240) frame_ms.erase(frame_ms.begin());
    frame_ms.push_back(ms);
  }
};

// What the captions should be of. caption_flow submits a job whenever these differ from what
// a slot last asked for, and puts back the last good picture or model when one fails to load.
struct CaptionInputs {
  std::string image_path;
  std::string context;
  std::string model_a, model_b;
  DecodeSettings decode;
};

struct GuiState {
  CaptionInputs inputs;
  // Text fields, committed into `inputs` on Enter (or a button).
  std::string image_path_edit, context_edit, model_a_edit, model_b_edit;
  std::array<CaptionRequest, kSlotCount> submitted;  // what each slot last asked for

  std::array<CaptionSlot, kSlotCount> slots;
  CaptionSlot& slot(Slot s) { return slots[static_cast<size_t>(s)]; }
  const CaptionSlot& slot(Slot s) const { return slots[static_cast<size_t>(s)]; }
  bool compare_enabled = false;   // caption with model B as well
  bool force_a_through_b = false; // compare B reading A's caption instead of its own

  // What is looked at.
  View view = View::Overlay;
  bool view_requested = false;    // select the view's tab on the next frame
  int selected_word = 0;
  int hovered_word = -1;          // this frame's hovered chip (overrides the selection)
  std::vector<int> selected_patches;  // reverse direction: words shaded by mass on these
  MapSettings map;
  OverlayLook look;
  ImageViewState main_view, compare_view;

  // Messages.
  std::string status;
  bool status_is_error = false;
  std::string error_popup;        // non-empty: a modal shows it until dismissed
  std::string error_shown;        // the last error text drawn (reported by --layout-json)

  // Export targets.
  std::string export_view_path = "glimpse-view.png";
  std::string export_sheet_path = "glimpse-sheet.png";
  std::string export_json_path = "glimpse-attention.json";
  std::string pending_view_export;  // read back after this frame's render

  PersistentSettings settings;
  FrameTimes times;
  LayoutReport layout;            // rebuilt every frame
  bool maps_painting = false;     // every frame: word maps are being painted off the UI thread
  bool browse_requested = false;  // "Browse..." was pressed: the picture panel opens its dialog
  bool picking_file = false;      // every frame: a file dialog is open or running
  bool quit = false;
};

// The word whose maps are drawn: the hovered chip, else the selected one.
inline int shown_word(const GuiState& s) { return s.hovered_word >= 0 ? s.hovered_word : s.selected_word; }

}  // namespace glimpse::gui
