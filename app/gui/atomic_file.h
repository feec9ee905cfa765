// Writing a file so that readers see the old or the new content, never half of it.
#pragma once

#include <string>

namespace glimpse::gui {

// Temporary file in the same folder, then rename over `path`. Throws glimpse::Error.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace glimpse::gui
