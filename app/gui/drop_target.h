// Drag and drop onto the window: GLFW's callback queues the dropped paths, the next frame takes
// them (the callback runs inside glfwPollEvents, on the UI thread).
#pragma once

#include <string>
#include <vector>

struct GLFWwindow;

namespace glimpse::gui {

void accept_drops(GLFWwindow* window);
// What GLFW's drop callback does with each path (scripted runs drop files through it too).
void queue_dropped_path(const std::string& path);
std::vector<std::string> take_dropped_paths();

}  // namespace glimpse::gui
