// Flickr8k.token.txt and its kin: `1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress ...`.
#include <cctype>
#include <fstream>
#include <unordered_map>

#include "caption_readers.h"
#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

// Reads one line, without its '\n', keeping at most `max` bytes: a longer line is read to its
// end but not kept (`too_long` says so), so one giant line cannot fill the memory. False at
// the end of the input.
bool read_bounded_line(std::istream& in, std::string& line, size_t max, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < max) line.push_back(static_cast<char>(c));
    else too_long = true;
  }
  return any;
}

}  // namespace

void read_flickr_tokens(const std::string& path, CaptionDatasetBuilder& b) {
  std::ifstream in(path);
  if (!in) throw Error("token file '" + path + "': cannot open");
  std::unordered_map<std::string, int64_t> ids;  // image file -> id, in order of appearance
  std::string line;
  bool too_long = false;
  for (size_t number = 1; read_bounded_line(in, line, kMaxTokenLineBytes, too_long); ++number) {
    const std::string where = "line " + std::to_string(number);
    if (too_long) {
      b.bad(path + " " + where, "line is longer than " + std::to_string(kMaxTokenLineBytes) +
                                    " bytes (kMaxTokenLineBytes: a file name and a kMaxCaptionBytes caption)");
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
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
