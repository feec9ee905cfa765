#include "spinner.h"

#include <imgui.h>

#include <cmath>

namespace glimpse::gui {

void spinner(const std::string& what, const JobProgress* progress) {
  const float r = ImGui::GetTextLineHeight() * 0.45f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 c(p.x + r + 1, p.y + ImGui::GetTextLineHeight() * 0.5f);
  const float t = static_cast<float>(ImGui::GetTime()) * 6.0f;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->PathArcTo(c, r, t, t + 4.4f, 16);
  draw->PathStroke(ImGui::GetColorU32(ImGuiCol_PlotHistogram), 0, 2.5f);
  ImGui::Dummy(ImVec2(2 * r + 2, ImGui::GetTextLineHeight()));
  ImGui::SameLine();
  const int step = progress ? progress->step.load() : 0, max_steps = progress ? progress->max_steps.load() : 0;
  if (max_steps > 0)
    ImGui::Text("%s... step %d/%d", what.c_str(), step, max_steps);
  else
    ImGui::Text("%s...", what.c_str());
}

}  // namespace glimpse::gui
