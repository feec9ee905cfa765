#include "caption_flow.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace glimpse::gui {
namespace {

// What the slot should show now; nullopt-like `false` when the slot is not wanted.
bool wanted_request(const GuiState& s, Slot slot, CaptionRequest& out) {
  out = {};
  out.slot = slot;
  out.image_path = s.inputs.image_path;
  out.context = s.inputs.context;
  out.settings = s.inputs.decode;
  switch (slot) {
    case Slot::A:
      out.model_path = s.inputs.model_a;
      return !out.model_path.empty() && !out.image_path.empty();
    case Slot::B:
      out.model_path = s.inputs.model_b;
      return s.compare_enabled && !out.model_path.empty() && !out.image_path.empty();
    case Slot::Forced: {
      const CaptionSlot& a = s.slot(Slot::A);
      const Caption* caption = a.caption();
      if (!s.compare_enabled || !s.force_a_through_b || !caption || caption->words.empty() ||
          s.inputs.model_b.empty())
        return false;
      // B reads A's caption of A's picture and context, whatever the inputs say meanwhile.
      out.image_path = a.produced_by.image_path;
      out.context = a.produced_by.context;
      out.settings = a.produced_by.settings;
      out.model_path = s.inputs.model_b;
      out.forced_caption = caption->text;
      return true;
    }
  }
  return false;
}

const char* slot_name(Slot slot) {
  return slot == Slot::A ? "model A" : slot == Slot::B ? "model B" : "model B reading A's caption";
}

std::string timing_line(const CaptionOutcome& o) {
  char line[160];
  std::snprintf(line, sizeof line, "%s: captioned (%s %.0f ms, decode %.0f ms)",
                slot_name(o.request.slot), o.encoder_skipped ? "encoder skipped," : "encode",
                o.encode_ms, o.decode_ms);
  return line;
}

}  // namespace

void submit_changed(GuiState& state, CaptionJobs& jobs) {
  for (int i = 0; i < kSlotCount; ++i) {
    const Slot slot = static_cast<Slot>(i);
    CaptionRequest want;
    if (!wanted_request(state, slot, want)) continue;
    // The forced slot waits for A: it reads A's caption.
    if (slot == Slot::Forced && state.slot(Slot::A).busy()) continue;
    if (same_request(want, state.submitted[static_cast<size_t>(i)])) continue;
    CaptionSlot& s = state.slot(slot);
    s.pending_job = jobs.submit(want);
    s.progress = jobs.progress(slot);
    s.pending_what = want.model_path != s.model_path   ? "loading the model and captioning"
                     : want.image_path != s.image_path ? "encoding the picture and captioning"
                                                       : "captioning";
    state.submitted[static_cast<size_t>(i)] = want;
  }
}

bool apply_finished(GuiState& state, CaptionJobs& jobs) {
  bool arrived = false;
  for (CaptionOutcome& o : jobs.take_captions()) {
    CaptionSlot& s = state.slot(o.request.slot);
    if (o.job != s.pending_job) continue;  // superseded
    s.pending_job = 0;
    s.progress = nullptr;
    if (o.cancelled) continue;
    if (!o.ok()) {
      s.error = o.error;
      state.status = std::string(slot_name(o.request.slot)) + ": " + o.error;
      state.status_is_error = true;
      state.error_popup = state.status;
      // Put back what worked, so that the inputs describe what is on screen and nothing is
      // asked again until the user changes something.
      if (o.failed == FailedStage::Model && !s.model_path.empty()) {
        (o.request.slot == Slot::A ? state.inputs.model_a : state.inputs.model_b) = s.model_path;
        (o.request.slot == Slot::A ? state.model_a_edit : state.model_b_edit) = s.model_path;
      }
      if (o.failed == FailedStage::Image && o.request.slot != Slot::Forced) {
        const std::string& good = state.slot(Slot::A).image_path;
        if (!good.empty()) state.inputs.image_path = good;
      }
      if (s.result) state.submitted[static_cast<size_t>(o.request.slot)] = s.produced_by;
      continue;
    }
    // A different picture invalidates patch selections and zoom (the first one keeps what the
    // command line asked for).
    const bool new_picture = s.image != nullptr && s.image != o.image;
    s.model = o.model;
    s.model_path = o.request.model_path;
    s.image = o.image;
    s.image_path = o.request.image_path;
    s.result = o.result;
    s.produced_by = o.request;
    s.hypothesis = 0;
    s.error.clear();
    s.encode_ms = o.encode_ms;
    s.decode_ms = o.decode_ms;
    s.encoder_skipped = o.encoder_skipped;
    state.status = timing_line(o);
    state.status_is_error = false;
    arrived = true;
    if (o.request.slot == Slot::A) {
      const int words = static_cast<int>(o.result->best().words.size());
      if (state.selected_word >= 0)  // -1: no word selected, the plain picture
        state.selected_word = std::clamp(state.selected_word, 0, std::max(0, words - 1));
      if (new_picture) {
        state.selected_patches.clear();
        state.main_view = {};
        state.compare_view = {};
      }
      state.settings.remember_image(std::filesystem::absolute(o.request.image_path).string());
      state.settings.model_path = o.request.model_path;
    } else if (o.request.slot == Slot::B) {
      state.settings.compare_model_path = o.request.model_path;
    }
  }
  return arrived;
}

bool waiting_for_captions(const GuiState& state) {
  for (int i = 0; i < kSlotCount; ++i) {
    const Slot slot = static_cast<Slot>(i);
    if (state.slot(slot).busy()) return true;
    // Inputs changed since the last submission (a picture just picked or dropped): the job
    // that submit_changed() makes next frame is as good as running.
    CaptionRequest want;
    if (wanted_request(state, slot, want) && !same_request(want, state.submitted[static_cast<size_t>(i)]))
      return true;
  }
  return false;
}

}  // namespace glimpse::gui
