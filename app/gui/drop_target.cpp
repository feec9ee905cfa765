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
  for (int i = 0; i < count; ++i) dropped().emplace_back(paths[i]);
}

}  // namespace

void accept_drops(GLFWwindow* window) { glfwSetDropCallback(window, on_drop); }

std::vector<std::string> take_dropped_paths() { return std::exchange(dropped(), {}); }

}  // namespace glimpse::gui
