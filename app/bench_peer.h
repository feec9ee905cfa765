// What the bench commands share around their PyTorch peer scripts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace glimpse::app {

// Runs the shipped peer script `script` (e.g. "bench/torch_peer.py", found with
// find_shipped_file) with `python` and `arguments`, and parses what it prints as JSON. Null
// JSON, after one line on stderr saying why, when the script is missing, cannot start, exits
// non-zero or prints no JSON; callers then skip the comparison.
nlohmann::json run_peer_script(const std::string& python, const std::string& script,
                               const std::string& arguments);

// A vocabulary of `size` tokens for a random-weight model: the specials and w4, w5, ...
std::string placeholder_vocabulary(int64_t size);

}  // namespace glimpse::app
