// Glimpse's dataset format: COCO captions JSON plus objects[] and context[]. Elements are
// serialised one at a time into the output text (no whole-document tree in memory).
#include <cmath>
#include <nlohmann/json.hpp>

#include "glimpse/core/safetensors.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::vision {
namespace {

using nlohmann::json;

// Whole pixel values as integers ("12", not "12.0"), as COCO files write them.
json number(float v) {
  if (std::nearbyint(v) == v && std::fabs(v) < 1e9f) return static_cast<int64_t>(v);
  return v;
}

// Appends `, "key": [` elements `]` to `out`, one element per line.
class ArrayWriter {
 public:
  ArrayWriter(std::string& out, const char* key) : out_(out) {
    out_ += ",\n \"";
    out_ += key;
    out_ += "\": [";
  }
  void add(const json& element) {
    out_ += empty_ ? "\n  " : ",\n  ";
    out_ += element.dump(-1, ' ', false, json::error_handler_t::replace);
    empty_ = false;
  }
  ~ArrayWriter() { out_ += empty_ ? "]" : "\n ]"; }

 private:
  std::string& out_;
  bool empty_ = true;
};

}  // namespace

void write_coco_captions(const std::string& path, const CaptionDataset& dataset) {
  std::string out = "{";
  json info = json::object();
  for (const auto& [k, v] : dataset.info) info[k] = v;
  out += "\n \"info\": " + info.dump() + ",\n \"licenses\": [],\n \"type\": \"captions\"";
  {
    ArrayWriter images(out, "images");
    for (const auto& r : dataset.images) {
      json image = {{"id", r.id}, {"file_name", r.file_name}, {"width", r.width}, {"height", r.height}};
      if (!r.art_style.empty()) image["art_style"] = r.art_style;
      images.add(image);
    }
  }
  {
    ArrayWriter annotations(out, "annotations");
    int64_t id = 0;
    for (const auto& r : dataset.images)
      for (const auto& c : r.captions) annotations.add({{"id", id++}, {"image_id", r.id}, {"caption", c}});
  }
  {
    ArrayWriter objects(out, "objects");
    int64_t id = 0;
    for (const auto& r : dataset.images)
      for (const auto& o : r.objects)
        objects.add({{"id", id++},
                     {"image_id", r.id},
                     {"name", o.name},
                     {"bbox", {number(o.x), number(o.y), number(o.w), number(o.h)}}});
  }
  {
    ArrayWriter contexts(out, "context");
    int64_t id = 0;
    for (const auto& r : dataset.images)
      for (const auto& c : r.contexts)
        contexts.add({{"id", id++},
                      {"image_id", r.id},
                      {"kind", c.kind},
                      {"instruction", c.instruction},
                      {"text", c.text},
                      {"captions", c.captions}});
  }
  out += "\n}\n";
  write_file_atomic(path, out);
}

}  // namespace glimpse::vision
