#include "bench_peer.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "glimpse/text/vocabulary.h"
#include "paths.h"

namespace glimpse::app {

nlohmann::json run_peer_script(const std::string& python, const std::string& script,
                               const std::string& arguments) {
  const auto path = find_shipped_file(script);
  if (path.empty()) {
    std::cerr << "bench: " << script << " not found; skipping the PyTorch comparison\n";
    return nullptr;
  }
  const std::string command = "'" + python + "' '" + path.string() + "' " + arguments;
  auto failed = [&] {
    std::cerr << "bench: the PyTorch peer failed or printed no JSON (is python3-torch installed for "
              << python << "?); skipping the comparison\n";
    return nullptr;
  };
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return failed();
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  if (pclose(pipe.release()) != 0) return failed();
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    return failed();
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
