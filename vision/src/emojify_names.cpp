#include "emojify_names.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

// Emoji versions are "E<major>.<minor>"; emojify.js's set ends with Emoji 1.0 (Unicode 6-era
// pictographs that gemoji had in 2014).
constexpr double kNewestEmojifyVersion = 1.0;

// gemoji names emojify.js uses that EmojiOne's index spells otherwise.
const std::unordered_map<char32_t, std::string>& gemoji_only_names() {
  static const std::unordered_map<char32_t, std::string> names = {
      {0x1F52A, "hocho"},  // kitchen knife (EmojiOne: "knife")
      {0x1F373, "egg"},    // cooking (EmojiOne: "cooking")
  };
  return names;
}

// The single code point of a "1f415" / "1f3ce-fe0f" / "1F415 FE0F" sequence (U+FE0F
// dropped); 0 for a longer sequence or bad hex.
char32_t single_codepoint(const std::string& seq) {
  char32_t cp = 0;
  int count = 0;
  std::string token;
  std::istringstream in(seq);
  while (std::getline(in, token, seq.find('-') != std::string::npos ? '-' : ' ')) {
    if (token.empty()) continue;
    unsigned long v = 0;
    try {
      size_t used = 0;
      v = std::stoul(token, &used, 16);
      if (used != token.size()) return 0;
    } catch (const std::exception&) {
      return 0;
    }
    if (v == 0xFE0F) continue;
    cp = static_cast<char32_t>(v);
    ++count;
  }
  return count == 1 ? cp : 0;
}

std::unordered_map<char32_t, double> emoji_versions(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("emoji-test file '" + path + "': cannot open (is unicode-data installed?)");
  std::unordered_map<char32_t, double> versions;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t semi = line.find(';'), hash = line.find('#');
    if (semi == std::string::npos || hash == std::string::npos) continue;
    const char32_t cp = single_codepoint(line.substr(0, semi));
    const size_t e = line.find(" E", hash);
    if (cp == 0 || e == std::string::npos) continue;
    try {
      const double v = std::stod(line.substr(e + 2));
      const auto [it, inserted] = versions.emplace(cp, v);
      if (!inserted && v < it->second) it->second = v;
    } catch (const std::exception&) {
    }
  }
  if (versions.empty()) throw Error("emoji-test file '" + path + "': no emoji with a version found");
  return versions;
}

std::string strip_colons(std::string s) {
  if (s.size() >= 2 && s.front() == ':' && s.back() == ':') s = s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

EmojifyNames::EmojifyNames(const std::string& gemoji_index, const std::string& emoji_test) {
  const auto versions = emoji_versions(emoji_test);
  std::ifstream in(gemoji_index);
  if (!in) throw Error("short-name index '" + gemoji_index + "': cannot open (is ruby-gemojione installed?)");
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error("short-name index '" + gemoji_index + "': " + e.what());
  }
  if (!index.is_object()) throw Error("short-name index '" + gemoji_index + "': expected an object");
  auto add = [this, &versions](char32_t cp, const std::string& name) {
    const auto v = versions.find(cp);
    if (cp == 0 || name.empty() || v == versions.end() || v->second > kNewestEmojifyVersion) return;
    auto& list = names_[cp];
    const std::string file = name + ".png";
    if (std::find(list.begin(), list.end(), file) == list.end()) list.push_back(file);
  };
  for (const auto& [key, entry] : index.items()) {
    if (!entry.is_object() || !entry.contains("unicode") || !entry["unicode"].is_string()) continue;
    const char32_t cp = single_codepoint(entry["unicode"].get<std::string>());
    if (entry.contains("shortname") && entry["shortname"].is_string())
      add(cp, strip_colons(entry["shortname"].get<std::string>()));
    if (entry.contains("aliases") && entry["aliases"].is_array())
      for (const auto& a : entry["aliases"])
        if (a.is_string()) add(cp, strip_colons(a.get<std::string>()));
  }
  for (const auto& [cp, name] : gemoji_only_names()) add(cp, name);
}

std::vector<std::string> EmojifyNames::file_names(char32_t cp) const {
  const auto it = names_.find(cp);
  return it == names_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace glimpse::vision
