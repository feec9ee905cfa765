#include "bench_peer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"
#include "paths.h"

namespace glimpse::app {
namespace {

namespace fs = std::filesystem;

fs::path onnx_cache_root() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "glimpse" / "onnx";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : fs::temp_directory_path().string()) / ".cache" / "glimpse" / "onnx";
}

// The npm package onnxruntime-node: GLIMPSE_ONNXRUNTIME_NODE, else scripts/setup.sh's
// third_party/npm. Empty if neither exists.
fs::path find_onnxruntime_node() {
  if (const char* env = std::getenv("GLIMPSE_ONNXRUNTIME_NODE"); env && *env)
    return fs::exists(fs::path(env) / "package.json") ? fs::path(env) : fs::path();
  return find_shipped_file("third_party/npm/node_modules/onnxruntime-node");
}

}  // namespace

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

nlohmann::json logprob_check(double max_abs_difference, double tolerance) {
  const bool comparable = !std::isnan(max_abs_difference);
  return {{"max_abs_difference", comparable ? nlohmann::json(max_abs_difference) : nlohmann::json()},
          {"tolerance", tolerance},
          {"agree", comparable && max_abs_difference <= tolerance}};
}

PeerRun OnnxPeer::run(const std::string& arguments) const {
  return {"ONNX Runtime", node, "bench/onnx_caption_peer.js",
          "--model-dir " + shell_quote(exported["dir"].get<std::string>()) + " " + arguments + " --spinning on",
          {{"GLIMPSE_ONNXRUNTIME_NODE", onnxruntime_node.string()}},
          "does " + onnxruntime_node.string() + " load with this node?"};
}

nlohmann::json OnnxPeer::export_summary() const {
  return {{"dir", exported["dir"]}, {"cached", exported["cached"]}, {"seconds", exported["export_seconds"]},
          {"opset", exported["meta"]["opset"]}};
}

std::optional<OnnxPeer> prepare_onnx_peer(const std::string& python, const std::string& node,
                                          const std::string& model_path, int context_len) {
  if (!capture_output("command -v " + shell_quote(node) + " >/dev/null 2>&1")) {
    std::cerr << "bench: skipping the ONNX Runtime peer: Node.js ('" << node
              << "') is not on PATH (scripts/setup.sh installs it)\n";
    return std::nullopt;
  }
  fs::path onnxruntime_node = find_onnxruntime_node();
  if (onnxruntime_node.empty()) {
    std::cerr << "bench: skipping the ONNX Runtime peer: npm package onnxruntime-node not found "
                 "(third_party/npm/node_modules/onnxruntime-node; scripts/setup.sh installs it, "
                 "or set GLIMPSE_ONNXRUNTIME_NODE)\n";
    return std::nullopt;
  }
  PeerRun exporter = torch_peer(python, "bench/onnx_export.py",
                                "--model " + shell_quote(model_path) + " --cache-root " +
                                    shell_quote(onnx_cache_root().string()) + " --context-len " +
                                    std::to_string(context_len),
                                {});
  exporter.peer = "ONNX export";
  nlohmann::json exported = run_peer(exporter);
  if (exported.is_null()) return std::nullopt;
  return OnnxPeer{node, std::move(onnxruntime_node), std::move(exported)};
}

std::string placeholder_vocabulary(int64_t size) {
  std::vector<std::string> words;
  for (int64_t i = text::Vocabulary::kNumSpecial; i < size; ++i) {
    std::string w = "w";  // (not "w" + to_string: GCC 12 warns falsely, -Wrestrict)
    words.push_back(w += std::to_string(i));
  }
  return text::Vocabulary(words).to_json();
}

BenchModel load_bench_model(const std::string& model_path, const fs::path& temp_dir) {
  fs::create_directories(temp_dir);
  if (!model_path.empty()) return {std::move(model::load_checkpoint(model_path).model), model_path};
  const model::ModelConfig cfg;
  BenchModel m{std::make_unique<model::CaptionModel>(cfg, 1), (temp_dir / "random-default.safetensors").string()};
  model::save_checkpoint(m.path, *m.model, placeholder_vocabulary(cfg.vocab_size),
                         R"({"made_by": "glimpse bench", "weights": "random"})");
  return m;
}

}  // namespace glimpse::app
