#include "eval_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "eval_inputs.h"
#include "report_table.h"

namespace glimpse::app {
namespace {

struct EvalArgs : EvalDataArgs {
  std::string model;
  bool as_json = false;
};

void run_eval(const EvalArgs& a) {
  const EvalInputs in = load_eval_inputs(a.data, a.splits, a.catalogue);
  const eval::EvalReport report = evaluate_model_file(a.model, in, a.options, a.bootstrap);
  if (a.as_json) {
    nlohmann::json j = eval::to_json(report);
    j["model"] = a.model;
    j["data"] = in.data.source;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "model " << a.model << " on " << in.data.source << "\n\n"
            << format_report_table({{std::filesystem::path(a.model).filename().string(), &report}}, false);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Score a model on a captioned dataset (docs/evaluation.md)");
  cmd->add_option("--model", a->model, "model file")->required();
  add_eval_data_options(cmd, *a);
  cmd->add_flag("--json", a->as_json, "print the report as JSON, with every image's captions");
  cmd->callback([a] { run_eval(*a); });
}

}  // namespace glimpse::app
