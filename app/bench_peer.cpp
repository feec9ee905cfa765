#include "bench_peer.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "glimpse/text/vocabulary.h"

namespace glimpse::app {

nlohmann::json run_peer_json(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return nullptr;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  if (pclose(pipe.release()) != 0) return nullptr;
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

std::string placeholder_vocabulary(int64_t size) {
  std::vector<std::string> words;
  for (int64_t i = text::Vocabulary::kNumSpecial; i < size; ++i) {
    std::string w = "w";  // (not "w" + to_string: GCC 12 warns falsely, -Wrestrict)
    words.push_back(w += std::to_string(i));
  }
  return text::Vocabulary(words).to_json();
}

}  // namespace glimpse::app
