// The models and sample scenes Glimpse ships, found beside the install or in the source tree
// (app/paths.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace glimpse::gui {

struct ShippedModel {
  std::string name;  // "concat", ...
  std::string path;
};
// The five shipped checkpoints that exist here, concat first.
std::vector<ShippedModel> shipped_models();
// Path of a shipped model by name ("" when missing).
std::string shipped_model(const std::string& name);
// assets/samples ("" when missing).
std::filesystem::path shipped_samples_dir();

}  // namespace glimpse::gui
