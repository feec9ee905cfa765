#include "shipped_files.h"

#include "../paths.h"

namespace glimpse::gui {

std::vector<ShippedModel> shipped_models() {
  std::vector<ShippedModel> models;
  for (const char* name : {"concat", "separate", "parallel", "hierarchical", "gated"}) {
    const auto p = app::find_shipped_file(std::string("assets/models/") + name + ".safetensors");
    if (!p.empty()) models.push_back({name, p.string()});
  }
  return models;
}

std::string shipped_model(const std::string& name) {
  for (const auto& m : shipped_models())
    if (m.name == name) return m.path;
  return {};
}

std::filesystem::path shipped_samples_dir() { return app::find_shipped_file("assets/samples"); }

}  // namespace glimpse::gui
