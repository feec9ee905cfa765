// Picking a checkpoint (the shipped ones in a combo, any .safetensors by path or dialog) and
// what its ModelCard says, with a notice when it was trained on a domain pictures may not fit.
#pragma once

#include "file_dialog.h"
#include "gui_state.h"
#include "shipped_files.h"

namespace glimpse::gui {

class ModelPicker {
 public:
  ModelPicker();
  // Edits the wanted model (inputs.model_a or model_b) and its text field.
  void draw(const char* id, std::string& wanted, std::string& edit);

 private:
  std::vector<ShippedModel> shipped_;
  FileDialog dialog_;
};

void model_card(const ModelCard& card);
// A line for pictures out of the model's domain ("" when none is needed).
std::string domain_notice(const ModelCard& card);

}  // namespace glimpse::gui
