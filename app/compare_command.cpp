#include "compare_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "glimpse/core/error.h"
#include "difference_table.h"
#include "eval_inputs.h"
#include "report_table.h"

namespace glimpse::app {
namespace {

struct CompareArgs : EvalDataArgs {
  std::vector<std::string> models;
  bool as_json = false;
  bool markdown = false;
  size_t max_diffs = 20;
};

// Column names: the file names, or the paths where two models share a file name.
std::vector<std::string> column_names(const std::vector<std::string>& models) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  bool clash = false;
  for (const auto& m : models) {
    names.push_back(std::filesystem::path(m).filename().string());
    clash = clash || !seen.insert(names.back()).second;
  }
  return clash ? models : names;
}

// Indices of the images whose captions are not all the same.
std::vector<size_t> differing_images(const std::vector<eval::EvalReport>& reports) {
  std::vector<size_t> out;
  for (size_t i = 0; i < reports.front().per_image.size(); ++i)
    for (const auto& r : reports)
      if (r.per_image[i].caption != reports.front().per_image[i].caption) {
        out.push_back(i);
        break;
      }
  return out;
}

void run_compare(const CompareArgs& a) {
  if (a.models.empty()) throw Error("compare: --models needs at least one model file");
  const EvalInputs in = load_eval_inputs(a.data, a.splits, a.catalogue);
  std::vector<eval::EvalReport> reports;
  for (const auto& m : a.models) reports.push_back(evaluate_model_file(m, in, a.options, a.bootstrap));
  const std::vector<std::string> names = column_names(a.models);
  const std::vector<size_t> diffs = differing_images(reports);
  std::vector<ReportColumn> cols;
  for (size_t k = 0; k < reports.size(); ++k) cols.push_back({names[k], &reports[k]});
  const std::vector<ModelDifferences> differences = differences_from_first(cols, a.bootstrap);

  if (a.as_json) {
    nlohmann::json models = nlohmann::json::array();
    for (size_t k = 0; k < reports.size(); ++k)
      models.push_back({{"model", a.models[k]}, {"report", eval::to_json(reports[k])}});
    nlohmann::json listed = nlohmann::json::array();
    for (size_t n = 0; n < diffs.size() && n < a.max_diffs; ++n) {
      nlohmann::json captions = nlohmann::json::array();
      for (const auto& r : reports) captions.push_back(r.per_image[diffs[n]].caption);
      listed.push_back({{"file_name", reports.front().per_image[diffs[n]].file_name}, {"captions", captions}});
    }
    std::cout << nlohmann::json{{"data", in.data.source},
                                {"models", models},
                                {"differences", difference_json(names.front(), differences)},
                                {"differing_images", diffs.size()},
                                {"diffs", listed}}
                     .dump(2)
              << "\n";
    return;
  }

  std::cout << format_report_table(cols, a.markdown) << "\n";
  if (!differences.empty()) std::cout << format_difference_table(names.front(), differences, a.markdown) << "\n";
  const size_t shown = std::min(diffs.size(), a.max_diffs);
  std::cout << "Captions differ on " << diffs.size() << " of " << reports.front().per_image.size()
            << " images" << (shown < diffs.size() ? " (first " + std::to_string(shown) + " shown)" : "")
            << (shown > 0 ? ":" : ".") << "\n";
  size_t width = 0;
  for (const auto& n : names) width = std::max(width, n.size());
  for (size_t n = 0; n < shown; ++n) {
    const size_t i = diffs[n];
    std::cout << (a.markdown ? "\n**" + reports.front().per_image[i].file_name + "**\n\n"
                             : "\n" + reports.front().per_image[i].file_name + "\n");
    for (size_t k = 0; k < reports.size(); ++k) {
      const std::string label = names[k] + ":" + std::string(width - names[k].size(), ' ');
      std::cout << (a.markdown ? "- `" + names[k] + "`: " : "  " + label + " ")
                << reports[k].per_image[i].caption << "\n";
    }
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Evaluate several models on the same images and show where they differ");
  cmd->add_option("--models", a->models, "model files, comma-separated")->required()->delimiter(',');
  add_eval_data_options(cmd, *a);
  cmd->add_flag("--json", a->as_json, "print the reports and the differing captions as JSON");
  cmd->add_flag("--markdown", a->markdown, "print the table and the differences as Markdown");
  cmd->add_option("--max-diffs", a->max_diffs, "differing images listed")->capture_default_str();
  cmd->callback([a] { run_compare(*a); });
}

}  // namespace glimpse::app
