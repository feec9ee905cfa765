// The busy indicator: a turning arc, and the decode step when the worker reports one.
#pragma once

#include <string>

#include "caption_request.h"

namespace glimpse::gui {

void spinner(const std::string& what, const JobProgress* progress);

}  // namespace glimpse::gui
