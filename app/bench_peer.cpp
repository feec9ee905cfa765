#include "bench_peer.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "glimpse/text/vocabulary.h"
#include "paths.h"

namespace glimpse::app {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string environment_prefix(const ChildEnvironment& environment) {
  if (environment.empty()) return "";
  std::string unset, set;
  for (const auto& [name, value] : environment) {
    if (value.empty())
      unset += " -u " + name;
    else
      set += " " + name + "=" + shell_quote(value);
  }
  return "env" + unset + set + " ";
}

std::optional<std::string> capture_output(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  if (pclose(pipe.release()) != 0) return std::nullopt;
  return out;
}

nlohmann::json run_peer(const PeerRun& run) {
  const auto path = find_shipped_file(run.script);
  if (path.empty()) {
    std::cerr << "bench: " << run.script << " not found; skipping the " << run.peer << " comparison\n";
    return nullptr;
  }
  const auto out = capture_output(environment_prefix(run.environment) + shell_quote(run.interpreter) +
                                  " " + shell_quote(path.string()) + " " + run.arguments);
  if (out) {
    try {
      return nlohmann::json::parse(*out);
    } catch (const nlohmann::json::exception&) {
    }
  }
  std::cerr << "bench: the " << run.peer << " peer (" << run.script
            << ") failed or printed no JSON (" << run.hint << "); skipping the comparison\n";
  return nullptr;
}

PeerRun torch_peer(const std::string& python, const std::string& script, const std::string& arguments,
                   const ChildEnvironment& environment) {
  return {"PyTorch", python, script, arguments, environment,
          "is python3-torch installed for " + python + "?"};
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
