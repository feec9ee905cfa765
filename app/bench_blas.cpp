#include "bench_blas.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "bench_min_time.h"
#include "number_format.h"
#include "glimpse/core/gemm.h"
#include "glimpse/core/threads.h"
#include "workloads.h"

// libopenblas exports it; cblas.h does not declare it in every version.
extern "C" char* openblas_get_corename(void);

namespace glimpse::app {
namespace {

// A narrower kernel replaces a wider one only if this much faster (a busy machine's noise is a
// few per cent; an ISA step, e.g. Haswell to SkylakeX, is tens of per cent where it matters).
constexpr double kTieMargin = 1.05;

// Linear layers at the shipped model's batch-1 captioning shapes (64 patches, d 192, FFN 768),
// x W^T as the engine and PyTorch call them, and one training-size product.
const bench::GemmCase kProbeShapes[] = {
    {"qkv 64x576x192", 64, 576, 192, false, true},
    {"ffn up 64x768x192", 64, 768, 192, false, true},
    {"ffn down 64x192x768", 64, 192, 768, false, true},
    {"2048x1024x256", 2048, 1024, 256, false, true},
};

std::string getenv_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Probe rounds: each candidate is measured this many times, interleaved, and keeps its best
// figure; other load on the machine only ever slows a probe down, so the best is the fairest.
constexpr int kProbeRounds = 2;

std::string coretype_setting(const std::string& coretype) {
  std::string out = "OPENBLAS_CORETYPE";  // (appended, not "literal" + string: GCC 12 warns falsely, -Wrestrict)
  if (coretype.empty()) return out + " unset";
  out += '=';
  out += coretype;
  return out;
}

std::string coretype_label(const std::string& coretype) {
  return coretype.empty() ? "unset" : coretype;
}

}  // namespace

std::string openblas_corename() {
  const char* name = openblas_get_corename();
  return name ? name : "unknown";
}

std::vector<std::string> coretype_candidates() {
  std::vector<std::string> out;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
    out.emplace_back("SkylakeX");
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out.emplace_back("Haswell");
  out.emplace_back("");
  return out;
}

const BlasKernelProbe* BlasKernelChoice::chosen_probe() const {
  for (const auto& p : probes)
    if (p.coretype == coretype) return &p;
  return nullptr;
}

const BlasKernelProbe* BlasKernelChoice::in_process_probe() const {
  for (const auto& p : probes)
    if (p.corename == in_process) return &p;
  return nullptr;
}

BlasKernelChoice choose_blas_kernel(int threads, double bench_min_seconds) {
  BlasKernelChoice c;
  c.in_process = openblas_corename();
  c.environment = getenv_or_empty("OPENBLAS_CORETYPE");
  const auto candidates = coretype_candidates();
  // Per shape: an eighth of the bench's time per workload, at most 0.1 s (4 shapes, 3
  // candidates, 2 rounds: at most ~2.4 s), and no less than the child's --min-time accepts (a
  // short bench once asked for 0.005 s and every probe was refused).
  const double seconds = std::clamp(bench_min_seconds / 8, kBenchMinSecondsLowest, 0.1);
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<BlasKernelProbe> best_of(candidates.size());
  std::vector<bool> ran(candidates.size(), false);
  for (int round = 0; round < kProbeRounds && !ec; ++round) {
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::ostringstream cmd;
      cmd << environment_prefix({{"OPENBLAS_CORETYPE", candidates[i]}}) << shell_quote(self.string())
          << " bench --blas-probe --threads " << threads << " --min-time " << seconds;
      const auto out = capture_output(cmd.str());
      if (!out) continue;
      try {
        const auto j = nlohmann::json::parse(*out);
        BlasKernelProbe& b = best_of[i];
        b.coretype = candidates[i];
        b.corename = j.at("corename").get<std::string>();
        b.gflops = std::max(b.gflops, j.at("gflops").get<double>());
        b.gflops_2048x1024x256 = std::max(b.gflops_2048x1024x256, j.at("gflops_2048x1024x256").get<double>());
        ran[i] = true;
      } catch (const nlohmann::json::exception&) {
      }
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i)
    if (ran[i]) c.probes.push_back(best_of[i]);
  c.measured = !c.probes.empty();
  if (!c.measured) {  // by ISA: the widest kernel the CPU runs
    c.coretype = candidates.front();
    c.corename = c.coretype.empty() ? c.in_process : c.coretype;
    return c;
  }
  const BlasKernelProbe* best = &c.probes.front();
  for (const auto& p : c.probes)
    if (p.gflops > kTieMargin * best->gflops) best = &p;
  c.coretype = best->coretype;
  c.corename = best->corename;
  return c;
}

ChildEnvironment peer_blas_environment(const BlasKernelChoice& choice) {
  return {{"OPENBLAS_CORETYPE", choice.coretype}};
}

std::string peer_blas_line(const BlasKernelChoice& c) {
  std::ostringstream s;
  s << "peer BLAS: OpenBLAS " << c.corename << " (" << coretype_setting(c.coretype)
    << " for the peers; env had " << coretype_label(c.environment) << "; ";
  if (!c.measured) {
    s << "chosen by ISA, the probes failed)";
    return s.str();
  }
  s << "sgemm measured:";
  for (const auto& p : c.probes)
    s << " " << coretype_label(p.coretype) << (p.coretype.empty() ? "->" + p.corename : "") << " "
      << fixed_decimals(p.gflops, 1);
  s << " GFLOP/s, best of " << kProbeRounds << " probes each)";
  return s.str();
}

std::string in_process_blas_line(const BlasKernelChoice& c) {
  std::ostringstream s;
  s << "in-process OpenBLAS (glimpse's sgemm reference): " << c.in_process << ", chosen when the "
    << "library loaded (" << coretype_setting(c.environment) << ")";
  if (c.in_process == c.corename) return s.str() + "; the best kernel here";
  const auto* mine = c.in_process_probe();
  const auto* best = c.chosen_probe();
  s << "; NOT the best kernel here (" << c.corename << ")";
  if (mine && best)
    s << ": at 2048x1024x256 " << c.in_process << " " << fixed_decimals(mine->gflops_2048x1024x256, 1)
      << " vs " << c.corename << " " << fixed_decimals(best->gflops_2048x1024x256, 1)
      << " GFLOP/s in child processes; run with " << coretype_setting(best->coretype)
      << " for a best-kernel in-process reference";
  return s.str();
}

std::string peer_blas_mismatch(const BlasKernelChoice& c, const nlohmann::json& peer_blas,
                               const std::string& peer) {
  const std::string reported = peer_blas.is_object() && peer_blas.value("corename", nlohmann::json()).is_string()
                                   ? peer_blas["corename"].get<std::string>()
                                   : "none";
  if (reported == c.corename) return "";
  return "warning: the " + peer + " peer ran OpenBLAS " + reported + ", not " + c.corename;
}

nlohmann::json to_json(const BlasKernelChoice& c) {
  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : c.probes)
    probes.push_back({{"coretype", p.coretype.empty() ? nlohmann::json() : nlohmann::json(p.coretype)},
                      {"corename", p.corename},
                      {"gflops", p.gflops},
                      {"gflops_2048x1024x256", p.gflops_2048x1024x256}});
  auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
  return {{"in_process_corename", c.in_process},
          {"environment_coretype", opt(c.environment)},
          {"peer_coretype", opt(c.coretype)},
          {"peer_corename", c.corename},
          {"in_process_is_best", c.in_process == c.corename},
          {"measured", c.measured},
          {"probes", probes}};
}

void print_blas_probe(int threads, double seconds) {
  set_threads(threads);
  double flops = 0, time = 0, big = 0;
  for (const auto& shape : kProbeShapes) {
    const double s = bench::time_gemm(GemmBackend::Blas, shape, seconds);
    flops += shape.flops();
    time += s;
    if (shape.M == 2048) big = shape.flops() / s * 1e-9;
  }
  std::cout << nlohmann::json{{"corename", openblas_corename()},
                              {"threads", threads},
                              {"gflops", flops / time * 1e-9},
                              {"gflops_2048x1024x256", big}}
                   .dump()
            << "\n";
}

}  // namespace glimpse::app
