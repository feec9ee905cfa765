#include "settings.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "glimpse/glimpse.h"

namespace glimpse::gui {

void PersistentSettings::remember_image(const std::string& path) {
  std::erase(recent_images, path);
  recent_images.insert(recent_images.begin(), path);
  if (recent_images.size() > 12) recent_images.resize(12);
}

std::filesystem::path config_dir() {
  std::filesystem::path dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    dir = std::filesystem::path(xdg) / "glimpse";
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = std::filesystem::path(home) / ".config" / "glimpse";
  else
    return {};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? std::filesystem::path{} : dir;
}

PersistentSettings load_settings(const std::filesystem::path& dir) {
  PersistentSettings s;
  if (dir.empty()) return s;
  std::ifstream in(dir / "settings.json");
  if (!in) return s;
  try {
    const auto j = nlohmann::json::parse(in);
    s.recent_images = j.value("recent_images", s.recent_images);
    s.model_path = j.value("model", s.model_path);
    s.compare_model_path = j.value("compare_model", s.compare_model_path);
    s.window_width = std::clamp(j.value("window_width", s.window_width), 320, 16384);
    s.window_height = std::clamp(j.value("window_height", s.window_height), 240, 16384);
  } catch (const std::exception&) {
    return PersistentSettings{};
  }
  return s;
}

void save_settings(const std::filesystem::path& dir, const PersistentSettings& s) {
  if (dir.empty()) return;
  const nlohmann::json j = {{"recent_images", s.recent_images},
                            {"model", s.model_path},
                            {"compare_model", s.compare_model_path},
                            {"window_width", s.window_width},
                            {"window_height", s.window_height}};
  write_file_atomic((dir / "settings.json").string(), j.dump(2) + "\n");
}

}  // namespace glimpse::gui
