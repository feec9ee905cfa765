// Streams a JSON file whose top level is an object: each element of each top-level array is
// handed over on its own, every other top-level value whole. Memory holds one element at a
// time, so a 100k-image annotation file costs what its records cost, not its parse tree.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace glimpse::vision {

struct JsonStreamHandlers {
  // Element `index` of the top-level array `key`.
  std::function<void(const std::string& key, size_t index, nlohmann::json&& element)> element;
  // A top-level value that is not an array.
  std::function<void(const std::string& key, nlohmann::json&& value)> value;
};

// Throws glimpse::Error naming `path` (and the byte offset) for an unreadable file, invalid
// JSON, or a top level that is not an object.
void stream_json_arrays(const std::string& path, const JsonStreamHandlers& handlers);

}  // namespace glimpse::vision
