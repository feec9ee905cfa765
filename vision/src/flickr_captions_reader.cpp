// Flickr8k.token.txt and its kin: `1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress ...`.
#include <cctype>
#include <fstream>
#include <unordered_map>

#include "caption_readers.h"
#include "glimpse/core/error.h"

namespace glimpse::vision {

void read_flickr_tokens(const std::string& path, CaptionDatasetBuilder& b) {
  std::ifstream in(path);
  if (!in) throw Error("token file '" + path + "': cannot open");
  std::unordered_map<std::string, int64_t> ids;  // image file -> id, in order of appearance
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(number);
    // Most files separate with a tab; a few copies have spaces after "#n".
    size_t sep = line.find('\t');
    const size_t hash = line.rfind('#', sep == std::string::npos ? line.size() : sep);
    if (sep == std::string::npos && hash != std::string::npos) {
      sep = hash + 1;
      while (sep < line.size() && std::isdigit(static_cast<unsigned char>(line[sep]))) ++sep;
      if (sep == hash + 1 || sep >= line.size() || line[sep] != ' ') sep = std::string::npos;
    }
    if (hash == std::string::npos || sep == std::string::npos || hash == 0) {
      b.bad(path + " " + where, "not of the form 'image#n<TAB>caption'");
      continue;
    }
    const std::string file = line.substr(0, hash);
    const std::string caption = line.substr(sep + 1);
    auto it = ids.find(file);
    if (it == ids.end()) {
      const int64_t id = static_cast<int64_t>(ids.size());
      it = ids.emplace(file, id).first;
      b.add_image(id, file, 0, 0, "", where);
    }
    b.add_caption(it->second, caption, where);
  }
  if (in.bad()) throw Error("token file '" + path + "': read failed");
}

}  // namespace glimpse::vision
