#include "drop_target.h"

#include <GLFW/glfw3.h>

#include <utility>

namespace glimpse::gui {
namespace {

std::vector<std::string>& dropped() {
  static std::vector<std::string> paths;
  return paths;
}

void on_drop(GLFWwindow*, int count, const char** paths) {
  for (int i = 0; i < count; ++i) queue_dropped_path(paths[i]);
}

}  // namespace

void queue_dropped_path(const std::string& path) { dropped().push_back(path); }

void accept_drops(GLFWwindow* window) { glfwSetDropCallback(window, on_drop); }

std::vector<std::string> take_dropped_paths() { return std::exchange(dropped(), {}); }

}  // namespace glimpse::gui
