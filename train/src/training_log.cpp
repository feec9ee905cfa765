#include "glimpse/train/training_log.h"

#include <fstream>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/core/safetensors.h"

namespace glimpse::train {

void TrainingLog::add(nlohmann::json row) {
  check(row.contains("kind") && row.contains("step"), "TrainingLog", "a row needs kind and step");
  rows_.push_back(std::move(row));
}

void TrainingLog::load(const std::string& path, int64_t last_step) {
  rows_.clear();
  std::ifstream in(path);
  if (!in) return;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw Error("metrics log '" + path + "' line " + std::to_string(number) + " is not JSON");
    }
    if (!row.is_object() || !row.contains("step") || !row.contains("kind"))
      throw Error("metrics log '" + path + "' line " + std::to_string(number) + " has no step/kind");
    if (row.at("step").get<int64_t>() <= last_step) rows_.push_back(std::move(row));
  }
}

void TrainingLog::save(const std::string& path) const {
  std::ostringstream out;
  for (const auto& row : rows_) out << row.dump() << "\n";
  write_file_atomic(path, out.str());
}

std::vector<std::pair<double, double>> TrainingLog::series(const std::string& kind,
                                                           const std::string& field) const {
  std::vector<std::pair<double, double>> points;
  for (const auto& row : rows_) {
    if (row.at("kind") != kind || !row.contains(field) || !row.at(field).is_number()) continue;
    points.emplace_back(row.at("step").get<double>(), row.at(field).get<double>());
  }
  return points;
}

}  // namespace glimpse::train
