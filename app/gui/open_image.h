// Where pictures come from: the path field with the recent files, the file dialog, and files
// dropped on the window. Opening one sets the wanted picture; caption_flow does the rest.
#pragma once

#include "file_dialog.h"
#include "gui_state.h"

namespace glimpse::gui {

class OpenImagePanel {
 public:
  OpenImagePanel();
  void draw(GuiState& state);

 private:
  FileDialog dialog_;
};

void open_image(GuiState& state, const std::string& path);

}  // namespace glimpse::gui
