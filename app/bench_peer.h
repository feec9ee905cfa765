// What the bench commands share around their peer programs (the PyTorch scripts, the ONNX
// Runtime script): running one with its own environment and reading the JSON it prints.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace glimpse::app {

// NAME=value pairs set for a child process alone; an empty value unsets NAME.
using ChildEnvironment = std::vector<std::pair<std::string, std::string>>;

// One peer program: `interpreter script arguments` with `environment`.
struct PeerRun {
  std::string peer;          // what the skip line calls it: "PyTorch", "ONNX Runtime"
  std::string interpreter;   // e.g. /usr/bin/python3, node
  std::string script;        // shipped file, e.g. "bench/torch_peer.py" (find_shipped_file)
  std::string arguments;     // already shell-quoted
  ChildEnvironment environment;
  std::string hint;          // what to check when it fails, e.g. "is python3-torch installed?"
};

// Runs the peer and parses what it prints as JSON. Null JSON, after one line on stderr saying
// why, when the script is missing, cannot start, exits non-zero or prints no JSON; callers then
// skip that comparison.
nlohmann::json run_peer(const PeerRun& run);

// A PyTorch peer script run with `python`.
PeerRun torch_peer(const std::string& python, const std::string& script, const std::string& arguments,
                   const ChildEnvironment& environment);

// `text` in single quotes for /bin/sh.
std::string shell_quote(const std::string& text);
// `env -u A B=value ...` prefix for a shell command line; empty for no settings.
std::string environment_prefix(const ChildEnvironment& environment);
// Runs `command` with /bin/sh and returns its standard output, or nothing if it could not start
// or exited non-zero.
std::optional<std::string> capture_output(const std::string& command);

// A vocabulary of `size` tokens for a random-weight model: the specials and w4, w5, ...
std::string placeholder_vocabulary(int64_t size);

}  // namespace glimpse::app
