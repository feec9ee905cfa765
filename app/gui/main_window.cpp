#include "main_window.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "attention_views.h"
#include "caption_panel.h"
#include "compare_view.h"
#include "decoding_panel.h"
#include "export_panel.h"
#include "fusion_panel.h"
#include "image_view.h"
#include "spinner.h"
#include "timing_stats.h"

namespace glimpse::gui {
namespace {

void performance_panel(const GuiState& state) {
  const auto& t = state.times;
  ImGui::Text("frame %.1f ms median, %.1f ms max", median_ms(t.frame_ms), max_ms(t.frame_ms));
  ImGui::Text("word switch %.1f ms (last)", t.last_word_switch_ms);
  ImGui::Text("word maps built in %.1f ms", t.last_maps_build_ms);
  const CaptionSlot& a = state.slot(Slot::A);
  if (a.result)
    ImGui::Text("%s %.0f ms, decode %.0f ms", a.encoder_skipped ? "encoder skipped," : "encode", a.encode_ms,
                a.decode_ms);
}

void keyboard_word_selection(GuiState& state) {
  const ImGuiIO& io = ImGui::GetIO();
  const Caption* caption = state.slot(Slot::A).caption();
  if (!caption || io.WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId)) return;
  const int n = static_cast<int>(caption->words.size());
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)))
    state.selected_word = std::max(0, state.selected_word - 1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)))
    state.selected_word = std::min(n - 1, state.selected_word + 1);
}

// Both models' cards side by side (B only once it is loaded).
void model_cards(const GuiState& state, ImVec2 size) {
  const CaptionSlot& a = state.slot(Slot::A);
  const CaptionSlot& b = state.slot(Slot::B);
  const int columns = b.model ? 2 : 1;
  const float w = (size.x - ImGui::GetStyle().ItemSpacing.x * (columns - 1)) / columns;
  ImGui::BeginChild("card-a", ImVec2(w, size.y), true);
  ImGui::TextUnformatted("Model A");
  ImGui::Separator();
  if (a.model)
    model_card(a.model->card());
  else
    ImGui::TextDisabled("no model loaded");
  ImGui::EndChild();
  if (!b.model) return;
  ImGui::SameLine();
  ImGui::BeginChild("card-b", ImVec2(w, size.y), true);
  ImGui::TextUnformatted("Model B (compare)");
  ImGui::Separator();
  model_card(b.model->card());
  ImGui::EndChild();
}

void record_captions(GuiState& state) {
  state.layout.captions.clear();
  state.layout.image = state.slot(Slot::A).image_path;
  const auto add = [&](Slot s) {
    const Caption* c = state.slot(s).caption();
    state.layout.captions.push_back(c ? c->text : "");
  };
  add(Slot::A);
  if (state.compare_enabled) add(state.force_a_through_b ? Slot::Forced : Slot::B);
}

}  // namespace

MainWindow::MainWindow(const std::filesystem::path& samples_dir) { samples_.load(samples_dir); }

void MainWindow::draw(GuiState& state, CaptionJobs& jobs) {
  const ImGuiIO& io = ImGui::GetIO();
  state.layout = {};
  state.layout.framebuffer_width = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  state.layout.framebuffer_height = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  state.layout.view = kViewNames[static_cast<size_t>(state.view)];
  state.hovered_word = -1;
  state.error_shown.clear();
  keyboard_word_selection(state);

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0);
  ImGui::Begin("Glimpse", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleVar();
  const float status_h = ImGui::GetFrameHeightWithSpacing();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float sidebar_w = std::clamp(avail.x * 0.26f, 300.0f, 380.0f);
  sidebar(state, jobs, ImVec2(sidebar_w, avail.y - status_h));
  ImGui::SameLine();
  ImGui::BeginChild("main", ImVec2(0, avail.y - status_h), false);
  caption_header(state);
  if (const float built = caches_.update(state); built > 0) state.times.last_maps_build_ms = built;
  state.maps_painting = caches_.painting();
  view_tabs(state);
  ImGui::EndChild();
  status_bar(state);
  error_modal(state);
  ImGui::End();
  record_captions(state);
  state.layout.status = state.status;
  state.layout.error = state.error_shown;
}

void MainWindow::sidebar(GuiState& state, CaptionJobs& jobs, ImVec2 size) {
  ImGui::BeginChild("sidebar", size, true);
  if (ImGui::CollapsingHeader("Picture", ImGuiTreeNodeFlags_DefaultOpen)) {
    open_image_.draw(state);
    samples_.draw(state);
  }
  if (ImGui::CollapsingHeader("Model", ImGuiTreeNodeFlags_DefaultOpen)) {
    picker_a_.draw("a", state.inputs.model_a, state.model_a_edit);
    const CaptionSlot& a = state.slot(Slot::A);
    if (a.model) {
      if (const std::string notice = domain_notice(a.model->card()); !notice.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
        ImGui::TextWrapped("%s", notice.c_str());
        ImGui::PopStyleColor();
      }
      if (ImGui::SmallButton("model card")) {
        state.view = View::Model;
        state.view_requested = true;
      }
    }
  }
  if (ImGui::CollapsingHeader("Context and decoding", ImGuiTreeNodeFlags_DefaultOpen)) decoding_panel(state);
  if (ImGui::CollapsingHeader("Attention map", ImGuiTreeNodeFlags_DefaultOpen)) {
    const Caption* c = state.slot(Slot::A).caption();
    const StepAttention* a = c && !c->words.empty() ? &c->words.front().predicted : nullptr;
    map_settings_panel(state.map, state.look, a ? a->layers : 0, a ? a->heads : 0);
    if (!state.selected_patches.empty()) {
      ImGui::TextWrapped("%zu patches selected: chips shaded by their attention on them", state.selected_patches.size());
      if (ImGui::SmallButton("clear selection")) state.selected_patches.clear();
    } else {
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
      ImGui::TextWrapped("Click or shift-drag patches on the picture: the chips show which words look there.");
      ImGui::PopStyleColor();
    }
  }
  if (ImGui::CollapsingHeader("Compare: model B")) {
    ImGui::Checkbox("caption with model B too", &state.compare_enabled);
    picker_b_.draw("b", state.inputs.model_b, state.model_b_edit);
  }
  if (ImGui::CollapsingHeader("Export")) export_panel(state, jobs);
  if (ImGui::CollapsingHeader("Performance")) performance_panel(state);
  ImGui::EndChild();
}

void MainWindow::caption_header(GuiState& state) {
  const CaptionSlot& a = state.slot(Slot::A);
  if (a.busy()) {
    spinner(a.pending_what, a.progress.get());
  } else if (!a.error.empty()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", a.error.c_str());
    state.error_shown = a.error;
  }
  const Caption* caption = a.caption();
  if (!caption) {
    if (!a.busy()) ImGui::TextDisabled("no caption yet: open a picture");
    return;
  }
  if (state.view == View::Compare) return;  // the compare view shows both captions itself
  std::vector<float> mass;
  if (!state.selected_patches.empty())
    mass = mass_on_patches(caches_.words[static_cast<size_t>(Slot::A)], state.selected_patches);
  int hovered = -1;
  caption_chips("chips-a", *caption, state.map.step, mass.empty() ? nullptr : &mass, state.selected_word, hovered);
  if (hovered >= 0) state.hovered_word = hovered;
}

void MainWindow::view_tabs(GuiState& state) {
  if (!ImGui::BeginTabBar("views")) return;
  static constexpr const char* kLabels[] = {"Overlay", "Layers x heads", "Caption sheet",
                                            "Compare", "Fusion",         "Model card"};
  for (int i = 0; i < 6; ++i) {
    const View v = static_cast<View>(i);
    const ImGuiTabItemFlags flags = state.view_requested && state.view == v ? ImGuiTabItemFlags_SetSelected : 0;
    if (!ImGui::BeginTabItem(kLabels[i], nullptr, flags)) continue;
    if (!state.view_requested) state.view = v;
    if (v == View::Compare) state.compare_enabled = true;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 region = ImGui::GetContentRegionAvail();
    const ImVec2 k = ImGui::GetIO().DisplayFramebufferScale;
    state.layout.view_rect = {p.x * k.x, p.y * k.y, (p.x + region.x) * k.x, (p.y + region.y) * k.y};
    const CaptionSlot& a = state.slot(Slot::A);
    const Caption* caption = a.caption();
    switch (v) {
      case View::Overlay:
        overlay_view(state, region);
        break;
      case View::Grid:
        layer_head_grid(caches_.layer_heads, caches_.pictures[0].get(), state.look, state.map, region);
        break;
      case View::Sheet:
        if (caption)
          caption_sheet(*caption, caches_.words[0], caches_.pictures[0].get(), state.look, state.selected_word, region);
        break;
      case View::Compare:
        compare_view(state, caches_, region);
        break;
      case View::Fusion:
        if (caption) fusion_panel(*a.result, *caption, shown_word(state), state.map, region);
        break;
      case View::Model:
        model_cards(state, region);
        break;
    }
    ImGui::EndTabItem();
  }
  state.view_requested = false;
  ImGui::EndTabBar();
}

void MainWindow::overlay_view(GuiState& state, ImVec2 size) {
  const CaptionSlot& a = state.slot(Slot::A);
  const Caption* caption = a.caption();
  const float side_w = std::min(330.0f, size.x * 0.3f);
  const int word = shown_word(state);
  ImageViewContent content;
  content.picture = caches_.pictures[0].get();
  content.grid = a.result ? &a.result->grid : nullptr;
  content.overlay = caches_.words[0].at(word);
  content.look = state.look;
  content.color_map = state.map.color_map;
  content.empty_text = a.busy() ? "loading..." : "no picture";
  const ImageViewResult drawn = image_view("main", state.main_view, content,
                                           ImVec2(size.x - side_w - 8, size.y), &state.selected_patches);
  if (content.picture) state.layout.panels.push_back(panel_rect("main", drawn, content.picture, content.overlay ? word : -1));
  ImGui::SameLine();
  ImGui::BeginChild("word", ImVec2(side_w, size.y), true);
  if (caption && word >= 0 && word < static_cast<int>(caption->words.size())) {
    ImGui::Text("Word %d of %zu", word + 1, caption->words.size());
    word_details(caption->words[static_cast<size_t>(word)], state.map.step);
    ImGui::TextDisabled("<- / -> keys: previous / next word");
  } else if (caption) {
    ImGui::TextDisabled("click a word to see its attention");
  }
  if (a.result && a.result->hypotheses.size() > 1) {
    ImGui::Separator();
    ImGui::TextUnformatted("Beam hypotheses");
    int h = state.slot(Slot::A).hypothesis;
    if (hypothesis_list(*a.result, h)) state.slot(Slot::A).hypothesis = h;
  }
  if (a.result) {
    ImGui::Separator();
    ImGui::Text("grid %dx%d patches, fusion %s", a.result->grid.rows, a.result->grid.cols, fusion_name(a.result->fusion));
    if (!a.produced_by.context.empty()) ImGui::TextWrapped("context: %s", a.produced_by.context.c_str());
  }
  ImGui::EndChild();
}

void MainWindow::status_bar(GuiState& state) {
  ImGui::Separator();
  if (state.status_is_error) {
    ImGui::TextColored(ImVec4(1, 0.5f, 0.45f, 1), "%s", state.status.c_str());
    if (state.error_shown.empty()) state.error_shown = state.status;
  } else {
    ImGui::TextUnformatted(state.status.empty() ? "ready" : state.status.c_str());
  }
}

void MainWindow::error_modal(GuiState& state) {
  if (!state.error_popup.empty() && !ImGui::IsPopupOpen("Error")) ImGui::OpenPopup("Error");
  ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, ImGui::GetIO().DisplaySize.x - 40), 0));
  if (ImGui::BeginPopupModal("Error", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::TextColored(ImVec4(1, 0.5f, 0.45f, 1), "Something could not be done:");
    ImGui::TextWrapped("%s", state.error_popup.c_str());
    ImGui::TextDisabled("What was on screen before stays.");
    state.error_shown = state.error_popup;
    if (ImGui::Button("OK", ImVec2(120, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter))) {
      state.error_popup.clear();
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
}

}  // namespace glimpse::gui
