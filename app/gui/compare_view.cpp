#include "compare_view.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "caption_panel.h"
#include "fusion_panel.h"
#include "image_view.h"
#include "spinner.h"

namespace glimpse::gui {
namespace {

std::string model_title(const char* tag, const CaptionSlot& slot, const char* note = "") {
  if (slot.model_path.empty()) return std::string(tag) + ": (no model yet)";
  return std::string(tag) + ": " + std::filesystem::path(slot.model_path).stem().string() + note;
}

// One column: title, the slot's caption chips and modality share, its picture with a map.
struct ColumnContent {
  const char* report_name;
  std::string title;
  const CaptionSlot* slot;           // whose caption and status the column shows
  const Caption* chips;              // null: no chips (the difference column)
  const AttentionMap* map;
  bool signed_map = false;
};

void column(GuiState& state, const ColumnContent& c, const Texture* picture, ImVec2 size) {
  ImGui::BeginChild(c.report_name, size, true);
  ImGui::TextWrapped("%s", c.title.c_str());
  if (ImGui::IsItemHovered() && c.slot->model) ImGui::SetTooltip("%s", c.slot->model->card().summary().c_str());
  if (c.slot->busy())
    spinner(c.slot->pending_what, c.slot->progress.get());
  else if (!c.slot->error.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", c.slot->error.c_str());
    state.error_shown = c.slot->error;
  }
  const float strip_h = 28;
  if (c.chips) {
    int hovered = -1;
    caption_chips(c.report_name, *c.chips, state.map.step, nullptr, state.selected_word, hovered);
    if (hovered >= 0) state.hovered_word = hovered;
    share_strip("share", *c.chips, state.map.step, shown_word(state), ImVec2(ImGui::GetContentRegionAvail().x, strip_h));
    ImGui::TextDisabled("image (orange) / context (blue) share");
  } else {
    ImGui::TextWrapped("A - B for word %d: red where A attends more, blue where B does", shown_word(state) + 1);
    ImGui::Dummy(ImVec2(1, strip_h));
  }
  ImageViewContent content;
  content.picture = picture;
  content.grid = c.slot->result ? &c.slot->result->grid : nullptr;
  content.overlay = c.map;
  content.look = state.look;
  content.signed_overlay = c.signed_map;
  content.color_map = state.map.color_map;
  content.empty_text = c.slot->busy() ? "working..." : "no caption";
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImageViewResult drawn = image_view("view", state.compare_view, content, avail, nullptr);
  if (picture) state.layout.panels.push_back(panel_rect(c.report_name, drawn, picture, c.map ? shown_word(state) : -1));
  ImGui::EndChild();
}

}  // namespace

void compare_view(GuiState& state, const ViewCaches& caches, ImVec2 size) {
  const ImVec2 start = ImGui::GetCursorPos();
  ImGui::Checkbox("force A's caption through B", &state.force_a_through_b);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("B reads A's caption word by word (Model::score):\nboth maps are of the same words, and A - B shows where they differ");
  const int word = shown_word(state);
  const Texture* picture = caches.pictures[static_cast<size_t>(Slot::A)].get();
  const CaptionSlot& a = state.slot(Slot::A);
  const CaptionSlot& b = state.slot(Slot::B);
  const CaptionSlot& forced = state.slot(Slot::Forced);
  std::vector<ColumnContent> columns;
  columns.push_back({"compare-a", model_title("A", a), &a, a.caption(),
                     caches.words[static_cast<size_t>(Slot::A)].at(word)});
  if (state.force_a_through_b) {
    columns.push_back({"compare-b", model_title("B", forced, ", reading A's caption"), &forced,
                       forced.caption(), caches.words[static_cast<size_t>(Slot::Forced)].at(word)});
    columns.push_back({"compare-diff", "A - B", &forced, nullptr, caches.differences.at(word), true});
  } else {
    columns.push_back({"compare-b", model_title("B", b), &b, b.caption(),
                       caches.words[static_cast<size_t>(Slot::B)].at(word)});
  }
  const float used = ImGui::GetCursorPos().y - start.y;
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float w = std::floor((size.x - gap * (columns.size() - 1)) / columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) ImGui::SameLine();
    column(state, columns[i], picture, ImVec2(w, size.y - used));
  }
}

}  // namespace glimpse::gui
