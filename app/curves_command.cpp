#include "curves_command.h"

#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>

#include "glimpse/core/error.h"
#include "glimpse/train/curve_plot.h"
#include "glimpse/train/training_log.h"

namespace glimpse::app {

namespace {

struct CurvesArgs {
  std::string log;
  std::string out;
  std::string title;
};

void run_curves(const CurvesArgs& a, int& exit_code) {
  try {
    if (!std::filesystem::is_regular_file(a.log)) throw Error("cannot read metrics log '" + a.log + "'");
    train::TrainingLog log;
    log.load(a.log, std::numeric_limits<int64_t>::max());
    if (log.rows().empty()) throw Error("metrics log '" + a.log + "' has no rows");
    const std::string title = a.title.empty() ? std::filesystem::path(a.log).filename().string() : a.title;
    train::save_training_curves(a.out, log, title);
  } catch (const std::exception& e) {
    std::cerr << "glimpse curves: " << e.what() << "\n";
    exit_code = 1;
  }
}

}  // namespace

void add_curves_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CurvesArgs>();
  CLI::App* cmd = app.add_subcommand("curves", "Draw a training run's curves (PNG) from its metrics log");
  cmd->add_option("log", a->log, "metrics log (<model>.metrics.jsonl, written by glimpse train)")->required();
  cmd->add_option("--out", a->out, "PNG to write")->required();
  cmd->add_option("--title", a->title, "title (default: the log's file name)");
  cmd->callback([a, &exit_code] { run_curves(*a, exit_code); });
}

}  // namespace glimpse::app
