#include "glimpse/train/resume_state.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/core/safetensors.h"

namespace glimpse::train {

namespace {
constexpr const char* kModel = "model/";
constexpr const char* kFirst = "adam_m/";
constexpr const char* kSecond = "adam_v/";
}  // namespace

void save_resume_state(const std::string& path, const model::CaptionModel& model,
                       const AdamW& optimizer, const std::string& vocabulary_json,
                       const std::string& options_json, const TrainProgress& progress) {
  std::map<std::string, Tensor> tensors;
  const ParameterList& params = model.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i].name;
    check_finite(params[i].param->value, "save_resume_state", "parameter '" + name + "'");
    tensors.emplace(kModel + name, params[i].param->value);
    tensors.emplace(kFirst + name, optimizer.first_moments()[i]);
    tensors.emplace(kSecond + name, optimizer.second_moments()[i]);
  }
  nlohmann::json state = {{"step", progress.step},
                          {"best_score", progress.best_score},
                          {"best_step", progress.best_step},
                          {"adam_steps", optimizer.steps()},
                          {"options", nlohmann::json::parse(options_json)}};
  save_safetensors(path, tensors,
                   {{"glimpse.config", model::to_json(model.config())},
                    {"glimpse.vocabulary", vocabulary_json},
                    {"glimpse.train_state", state.dump()}});
}

ResumeState load_resume_state(const std::string& path) {
  SafeTensors file = load_safetensors(path);
  auto bad = [&](const std::string& what) {
    return Error("training state '" + path + "': " + what);
  };
  auto meta = [&](const char* key) -> const std::string& {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end())
      throw bad(std::string("metadata has no '") + key + "': not a Glimpse training state");
    return it->second;
  };
  ResumeState s;
  try {
    s.config = model::config_from_json(meta("glimpse.config"));
  } catch (const Error& e) {
    throw bad(e.what());
  }
  s.vocabulary_json = meta("glimpse.vocabulary");
  try {
    const auto j = nlohmann::json::parse(meta("glimpse.train_state"));
    s.progress.step = j.at("step").get<int64_t>();
    s.progress.best_score = j.at("best_score").get<double>();
    s.progress.best_step = j.at("best_step").get<int64_t>();
    s.options_json = j.at("options").dump();
    if (s.progress.step < 0 || j.at("adam_steps").get<int64_t>() != s.progress.step)
      throw bad("inconsistent step counts");
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("glimpse.train_state is malformed: ") + e.what());
  }
  s.tensors = std::move(file.tensors);
  return s;
}

// `model` is written: its weights are reached through the Parameter pointers of parameters().
// cppcheck-suppress constParameter
void restore(const ResumeState& state, const std::string& path, model::CaptionModel& model,
             AdamW& optimizer) {
  const ParameterList& params = model.parameters();
  auto take = [&](const std::string& key, Tensor& into) {
    auto it = state.tensors.find(key);
    if (it == state.tensors.end())
      throw Error("training state '" + path + "': tensor '" + key + "' is missing");
    if (it->second.shape() != into.shape())
      throw Error("training state '" + path + "': tensor '" + key + "' has shape " +
                  shape_str(it->second.shape()) + ", the model needs " + shape_str(into.shape()));
    into = it->second;
  };
  if (state.tensors.size() != 3 * params.size())
    throw Error("training state '" + path + "' holds " + std::to_string(state.tensors.size()) +
                " tensors, the model needs " + std::to_string(3 * params.size()));
  for (size_t i = 0; i < params.size(); ++i) {
    take(kModel + params[i].name, params[i].param->value);
    take(kFirst + params[i].name, optimizer.first_moments()[i]);
    take(kSecond + params[i].name, optimizer.second_moments()[i]);
  }
  optimizer.set_steps(state.progress.step);
}

}  // namespace glimpse::train
