// What the bench commands share around their PyTorch peer scripts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace glimpse::app {

// Runs `command` (a peer script invocation) and parses what it prints as JSON. Null JSON when
// it cannot start, exits non-zero or prints no JSON; callers then skip the comparison.
nlohmann::json run_peer_json(const std::string& command);

// A vocabulary of `size` tokens for a random-weight model: the specials and w4, w5, ...
std::string placeholder_vocabulary(int64_t size);

}  // namespace glimpse::app
