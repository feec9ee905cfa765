#include "json_array_stream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

using nlohmann::json;

// nlohmann's SAX interface. Depth counts open containers (the root object is depth 1, a
// top-level array depth 2). Values below a top-level key or array are built into `building_`
// and handed over when their outermost container closes.
class ArrayStreamer {
 public:
  ArrayStreamer(const std::string& path, const JsonStreamHandlers& h) : path_(path), h_(h) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t&) { return add(json(nullptr)); }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  // nlohmann's SAX interface passes the key by non-const reference.
  // cppcheck-suppress constParameter
  bool key(json::string_t& k) {
    if (stack_.empty()) top_key_ = k;
    else building_key_ = k;
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
    throw Error("JSON file '" + path_ + "': invalid JSON near byte " + std::to_string(position) +
                ": " + e.what());
  }

 private:
  bool add(json&& v) {
    if (depth_ == 0) throw Error("JSON file '" + path_ + "': the top level must be an object");
    if (!stack_.empty()) {
      json* parent = stack_.back();
      if (parent->is_array()) parent->push_back(std::move(v));
      else (*parent)[building_key_] = std::move(v);
      return true;
    }
    emit(std::move(v));
    return true;
  }

  bool open(json&& empty) {
    if (depth_ == 0) {
      if (!empty.is_object()) throw Error("JSON file '" + path_ + "': the top level must be an object");
      depth_ = 1;
      return true;
    }
    if (depth_ == 1 && empty.is_array()) {
      in_top_array_ = true;
      index_ = 0;
      depth_ = 2;
      return true;
    }
    if (stack_.empty()) {
      building_ = std::move(empty);
      stack_.push_back(&building_);
    } else {
      // The parent is not touched again until this child closes, so the pointer stays valid.
      json* parent = stack_.back();
      json* child = nullptr;
      if (parent->is_array()) {
        parent->push_back(std::move(empty));
        child = &parent->back();
      } else {
        child = &((*parent)[building_key_] = std::move(empty));
      }
      stack_.push_back(child);
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (!stack_.empty()) {
      stack_.pop_back();
      if (stack_.empty()) {
        emit(std::move(building_));
        building_ = json();
      }
      return true;
    }
    if (in_top_array_ && depth_ == 1) in_top_array_ = false;
    return true;
  }

  void emit(json&& v) {
    if (in_top_array_) {
      if (h_.element) h_.element(top_key_, index_, std::move(v));
      ++index_;
    } else if (h_.value) {
      h_.value(top_key_, std::move(v));
    }
  }

  const std::string& path_;
  const JsonStreamHandlers& h_;
  int depth_ = 0;
  bool in_top_array_ = false;
  size_t index_ = 0;
  std::string top_key_;
  std::string building_key_;
  json building_;
  std::vector<json*> stack_;
};

}  // namespace

void stream_json_arrays(const std::string& path, const JsonStreamHandlers& handlers) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw Error("JSON file '" + path + "': cannot open: " + std::strerror(errno));
  ArrayStreamer streamer(path, handlers);
  try {
    json::sax_parse(file.get(), &streamer);
  } catch (const json::exception& e) {
    throw Error("JSON file '" + path + "': " + e.what());
  }
}

}  // namespace glimpse::vision
