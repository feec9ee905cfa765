#include "glimpse/vision/scene_catalogue.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

using nlohmann::json;

std::string required_string(const json& o, const char* field, const std::string& where) {
  if (!o.contains(field) || !o[field].is_string())
    throw Error(where + ": field '" + field + "' must be a string");
  return o[field].get<std::string>();
}

std::vector<std::string> string_list(const json& o, const char* field, const std::string& where) {
  std::vector<std::string> out;
  if (!o.contains(field)) return out;
  if (!o[field].is_array()) throw Error(where + ": field '" + field + "' must be an array");
  for (const auto& v : o[field]) {
    if (!v.is_string()) throw Error(where + ": field '" + field + "' must hold strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

char32_t parse_codepoint(const std::string& hex, const std::string& where) {
  size_t used = 0;
  unsigned long value = 0;
  try {
    value = std::stoul(hex, &used, 16);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != hex.size() || hex.empty() || value > 0x10FFFF)
    throw Error(where + ": codepoint '" + hex + "' is not a hexadecimal Unicode scalar");
  return static_cast<char32_t>(value);
}

}  // namespace

std::string SceneObject::usable_colour() const {
  if (colour.empty() || noun.find(" of ") != std::string::npos ||
      noun.find(" and ") != std::string::npos)
    return {};
  return colour;
}

int SceneCatalogue::find(const std::string& name) const {
  const auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

SceneCatalogue load_scene_catalogue(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("scene catalogue '" + path + "': cannot open");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw Error("scene catalogue '" + path + "': " + e.what());
  }
  if (!doc.is_object() || !doc.contains("objects") || !doc["objects"].is_array() ||
      doc["objects"].empty())
    throw Error("scene catalogue '" + path + "': needs a non-empty 'objects' array");

  SceneCatalogue cat;
  cat.source = path;
  for (size_t i = 0; i < doc["objects"].size(); ++i) {
    const json& o = doc["objects"][i];
    std::string where = "scene catalogue '" + path + "': objects[" + std::to_string(i) + "]";
    if (!o.is_object()) throw Error(where + ": must be an object");
    SceneObject obj;
    obj.name = required_string(o, "name", where);
    where += " ('" + obj.name + "')";
    obj.noun = required_string(o, "noun", where);
    obj.plural = required_string(o, "plural", where);
    obj.category = required_string(o, "category", where);
    obj.emojione_png = required_string(o, "emojione_png", where);
    obj.cldr_name = o.contains("cldr_name") ? required_string(o, "cldr_name", where) : obj.name;
    if (o.contains("colour") && !o["colour"].is_null())
      obj.colour = required_string(o, "colour", where);
    std::vector<char32_t> codepoints;
    for (const auto& hex : string_list(o, "codepoints", where)) {
      const char32_t cp = parse_codepoint(hex, where);
      if (cp != 0xFE0F) codepoints.push_back(cp);
    }
    if (codepoints.size() != 1)
      throw Error(where + ": needs exactly one code point besides U+FE0F (FreeType does not "
                          "apply the GSUB ligatures that sequences need)");
    obj.codepoint = codepoints.front();
    obj.synonyms = string_list(o, "synonyms", where);
    obj.keywords = string_list(o, "keywords", where);
    if (obj.name.empty() || obj.noun.empty() || obj.plural.empty())
      throw Error(where + ": name, noun and plural must not be empty");
    if (!cat.by_name.emplace(obj.name, static_cast<int>(cat.objects.size())).second)
      throw Error(where + ": duplicate name '" + obj.name + "'");
    cat.objects.push_back(std::move(obj));
  }
  return cat;
}

SceneCatalogue subset_catalogue(const SceneCatalogue& catalogue, const std::vector<int>& keep) {
  SceneCatalogue out;
  out.source = catalogue.source;
  int previous = -1;
  for (const int i : keep) {
    check(i > previous && i < catalogue.size(), "subset_catalogue",
          "object indices must increase and lie in [0, " + std::to_string(catalogue.size()) + ")");
    previous = i;
    out.by_name.emplace(catalogue.objects[static_cast<size_t>(i)].name, out.size());
    out.objects.push_back(catalogue.objects[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace glimpse::vision
