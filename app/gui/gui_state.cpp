#include "gui_state.h"

namespace glimpse::gui {

std::optional<View> view_from_name(const std::string& name) {
  for (size_t i = 0; i < kViewNames.size(); ++i)
    if (name == kViewNames[i]) return static_cast<View>(i);
  return std::nullopt;
}

}  // namespace glimpse::gui
