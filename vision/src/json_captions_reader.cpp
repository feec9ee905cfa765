// COCO captions and Karpathy JSON, streamed element by element.
#include <filesystem>

#include "caption_readers.h"
#include "glimpse/core/error.h"
#include "json_array_stream.h"

namespace glimpse::vision {
namespace {

using nlohmann::json;

bool is_int(const json& j) { return j.is_number_integer() || j.is_number_unsigned(); }

// A malformed element: names the field and what it should be.
struct Malformed {
  std::string reason;
};

const json& field(const json& e, const char* name) {
  if (!e.is_object()) throw Malformed{"is not an object"};
  const auto it = e.find(name);
  if (it == e.end()) throw Malformed{std::string("has no '") + name + "'"};
  return *it;
}

std::string string_field(const json& e, const char* name) {
  const json& v = field(e, name);
  if (!v.is_string()) throw Malformed{std::string("'") + name + "' is not a string"};
  return v.get<std::string>();
}

int64_t int_field(const json& e, const char* name) {
  const json& v = field(e, name);
  if (!is_int(v)) throw Malformed{std::string("'") + name + "' is not an integer"};
  return v.get<int64_t>();
}

int optional_size(const json& e, const char* name) {
  if (!e.contains(name)) return 0;
  const json& v = e[name];
  if (!is_int(v) || v.get<int64_t>() < 0 || v.get<int64_t>() > (int64_t{1} << 30))
    throw Malformed{std::string("'") + name + "' is not a plausible pixel count"};
  return static_cast<int>(v.get<int64_t>());
}

std::vector<std::string> string_list(const json& e, const char* name) {
  const json& v = field(e, name);
  if (!v.is_array()) throw Malformed{std::string("'") + name + "' is not an array"};
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (!s.is_string()) throw Malformed{std::string("'") + name + "' holds a non-string"};
    out.push_back(s.get<std::string>());
  }
  return out;
}

bool is_karpathy_image(const json& e) { return e.is_object() && e.contains("sentences"); }

void read_coco_image(const json& e, const std::string& where, CaptionDatasetBuilder& b) {
  const int64_t id = int_field(e, "id");
  const std::string style = e.contains("art_style") ? string_field(e, "art_style") : std::string();
  if (b.add_image(id, string_field(e, "file_name"), optional_size(e, "width"), optional_size(e, "height"), "", where) &&
      !style.empty())
    b.set_art_style(id, style);
}

// {"filepath": "val2014", "filename": "...jpg", "imgid": 0, "cocoid": 391895, "split": "test",
//  "sentences": [{"raw": "A man ...", "tokens": [...]}, ...]}
void read_karpathy_image(const json& e, size_t index, const std::string& where,
                         CaptionDatasetBuilder& b) {
  const int64_t id = e.contains("cocoid") ? int_field(e, "cocoid")
                     : e.contains("imgid") ? int_field(e, "imgid")
                                           : static_cast<int64_t>(index);
  std::string file = string_field(e, "filename");
  if (e.contains("filepath")) file = (std::filesystem::path(string_field(e, "filepath")) / file).string();
  const std::string split = e.contains("split") ? string_field(e, "split") : std::string();
  const json& sentences = field(e, "sentences");
  if (!sentences.is_array()) throw Malformed{"'sentences' is not an array"};
  if (!b.add_image(id, file, 0, 0, split, where)) return;
  for (size_t i = 0; i < sentences.size(); ++i) {
    const json& s = sentences[i];
    const std::string at = where + ".sentences[" + std::to_string(i) + "]";
    std::string text;
    if (s.is_object() && s.contains("raw") && s["raw"].is_string()) {
      text = s["raw"].get<std::string>();
    } else if (s.is_object() && s.contains("tokens") && s["tokens"].is_array()) {
      for (const auto& t : s["tokens"])
        if (t.is_string()) text.append(text.empty() ? "" : " ").append(t.get<std::string>());
    } else {
      b.bad(file, at + " has neither 'raw' nor 'tokens'");
      continue;
    }
    b.add_caption(id, text, at);
  }
}

void read_object(const json& e, const std::string& where, CaptionDatasetBuilder& b) {
  const json& bbox = field(e, "bbox");
  if (!bbox.is_array() || bbox.size() != 4)
    throw Malformed{"'bbox' is not an array of four numbers [x, y, w, h]"};
  for (const auto& v : bbox)
    if (!v.is_number()) throw Malformed{"'bbox' is not an array of four numbers [x, y, w, h]"};
  ObjectBox box;
  box.name = string_field(e, "name");
  box.x = bbox[0].get<float>();
  box.y = bbox[1].get<float>();
  box.w = bbox[2].get<float>();
  box.h = bbox[3].get<float>();
  b.add_object(int_field(e, "image_id"), box, where);
}

void read_context(const json& e, const std::string& where, CaptionDatasetBuilder& b) {
  ContextEntry c;
  c.kind = string_field(e, "kind");
  c.instruction = e.contains("instruction") ? string_field(e, "instruction") : "plain";
  c.text = string_field(e, "text");
  c.captions = string_list(e, "captions");
  b.add_context(int_field(e, "image_id"), std::move(c), where);
}

}  // namespace

void read_json_captions(const std::string& path, DatasetFormat format, CaptionDatasetBuilder& b) {
  JsonStreamHandlers h;
  h.value = [&](const std::string& key, json&& v) {
    // The record arrays must be arrays: "images": {} would otherwise load as no images at all.
    for (const char* records : {"images", "annotations", "objects", "context"})
      if (key == records)
        throw Error("JSON file '" + path + "': '" + key + "' is " + v.type_name() + ", not an array");
    if (key != "info" || !v.is_object()) return;
    for (const auto& [k, x] : v.items())
      if (x.is_string()) b.set_info(k, x.get<std::string>());
      else if (x.is_primitive()) b.set_info(k, x.dump());
  };
  h.element = [&](const std::string& key, size_t i, json&& e) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    try {
      if (key == "images") {
        const bool karpathy = format == DatasetFormat::Karpathy ||
                              (format == DatasetFormat::Auto && is_karpathy_image(e));
        if (karpathy) read_karpathy_image(e, i, where, b);
        else read_coco_image(e, where, b);
      } else if (key == "annotations") {
        b.add_caption(int_field(e, "image_id"), string_field(e, "caption"), where);
      } else if (key == "objects") {
        read_object(e, where, b);
      } else if (key == "context") {
        read_context(e, where, b);
      }
    } catch (const Malformed& m) {
      b.bad(path + " " + where, m.reason);
    }
  };
  stream_json_arrays(path, h);
}

}  // namespace glimpse::vision
