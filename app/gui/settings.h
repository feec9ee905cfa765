// What the app remembers between runs: recent pictures, the last models, the window size.
// Stored as settings.json in the config folder ($XDG_CONFIG_HOME/glimpse or
// ~/.config/glimpse), next to ImGui's own imgui.ini (the panel layout).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace glimpse::gui {

struct PersistentSettings {
  std::vector<std::string> recent_images;  // newest first
  std::string model_path;
  std::string compare_model_path;
  int window_width = 1600, window_height = 1000;

  void remember_image(const std::string& path);
};

// The folder, created if missing (empty path when there is no home to put it in).
std::filesystem::path config_dir();
// Missing or unreadable file: defaults (a broken settings file never stops the app).
PersistentSettings load_settings(const std::filesystem::path& dir);
// Atomic; throws glimpse::Error.
void save_settings(const std::filesystem::path& dir, const PersistentSettings& settings);

}  // namespace glimpse::gui
