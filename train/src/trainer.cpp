#include "glimpse/train/trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "glimpse/core/dropout.h"
#include "glimpse/core/error.h"
#include "glimpse/core/optimizer.h"
#include "glimpse/train/training_step.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/text/wordnet.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/train/curve_plot.h"
#include "glimpse/train/init_weights.h"
#include "glimpse/train/progress.h"
#include "glimpse/train/resume_state.h"
#include "glimpse/train/sample_plan.h"
#include "glimpse/train/training_batch.h"
#include "glimpse/train/training_log.h"
#include "glimpse/train/validation.h"

namespace glimpse::train {

namespace {

using Clock = std::chrono::steady_clock;

// Every training set, one after the other, as one dataset; `infos` gets each set's "info"
// record (generator, art style, ...) for the checkpoint's provenance.
vision::CaptionDataset load_training_data(const TrainOptions& o, const Communicator& comm,
                                          nlohmann::json& infos) {
  vision::CaptionDataset all;
  infos = nlohmann::json::array();
  for (const std::string& path : o.train_data) {
    vision::CaptionDataset d = vision::load_caption_dataset(path);
    nlohmann::json info = d.info;
    info["path"] = path;
    infos.push_back(std::move(info));
    if (comm.is_root() && d.report.bad > 0) std::cerr << "glimpse train: " << d.report.summary() << "\n";
    if (all.source.empty()) all.source = d.source;
    else all.source += "+" + d.source;
    all.images.insert(all.images.end(), std::make_move_iterator(d.images.begin()),
                      std::make_move_iterator(d.images.end()));
  }
  if (all.images.empty()) throw Error("the training data has no usable images");
  return all;
}

text::Vocabulary build_vocabulary(const vision::CaptionDataset& data, int min_count) {
  text::VocabularyBuilder builder;
  for (const auto& r : data.images) {
    for (const auto& c : r.captions) builder.add_text(c);
    for (const auto& ctx : r.contexts) {
      builder.add_text(ctx.text);
      for (const auto& c : ctx.captions) builder.add_text(c);
    }
  }
  return builder.build(min_count);
}

// Gradients of all ranks summed in one allreduce.
void sum_gradients(const ParameterList& params, const Communicator& comm, std::vector<float>& buffer) {
  if (!comm.distributed()) return;
  int64_t total = 0;
  for (const auto& p : params) total += p.param->grad.size();
  buffer.resize(static_cast<size_t>(total));
  int64_t at = 0;
  for (const auto& p : params) {
    std::copy(p.param->grad.data(), p.param->grad.data() + p.param->grad.size(), buffer.data() + at);
    at += p.param->grad.size();
  }
  comm.sum(buffer.data(), total);
  at = 0;
  for (const auto& p : params) {
    std::copy(buffer.data() + at, buffer.data() + at + p.param->grad.size(), p.param->grad.data());
    at += p.param->grad.size();
  }
}

std::string provenance(const TrainOptions& o, const TrainProgress& p, int64_t step, int ranks,
                       const nlohmann::json& data_infos, Precision matmuls) {
  nlohmann::json j = {{"tool", "glimpse train"},
                      {"step", step},
                      {"ranks", ranks},
                      {"training_data", data_infos},
                      {"run", nlohmann::json::parse(run_json(o))},
                      // The process that saved the file; a resumed run may have changed it.
                      {"matmul_precision", precision_name(matmuls)}};
  if (p.best_step >= 0) j["best_validation_cider_d"] = p.best_score;
  return j.dump();
}

std::atomic<bool> g_stop_requested{false};

}  // namespace

void request_stop() { g_stop_requested.store(true); }
bool stop_requested() { return g_stop_requested.load(); }

TrainResult run_training(const TrainOptions& options, const Communicator& comm,
                         std::ostream& progress_out) {
  validate(options);
  TrainOptions o = options;
  // Paths as the file system resolves them, so a resumed run may name its data differently.
  for (std::string& path : o.train_data) path = std::filesystem::weakly_canonical(path).string();
  if (!o.val_data.empty()) o.val_data = std::filesystem::weakly_canonical(o.val_data).string();
  if (!o.init.empty()) o.init = std::filesystem::weakly_canonical(o.init).string();
  if (o.warmup < 0) o.warmup = o.steps / 20;
  const bool root = comm.is_root();
  if (o.batch % comm.size() != 0)
    throw Error("--batch " + std::to_string(o.batch) + " is not a multiple of the " +
                std::to_string(comm.size()) + " MPI ranks");

  nlohmann::json data_infos;
  const vision::CaptionDataset data = load_training_data(o, comm, data_infos);
  std::optional<ObjectClasses> object_classes;
  if (o.object_loss > 0) {
    object_classes.emplace(data);
    if (object_classes->names().empty())
      throw Error("--object-loss needs object boxes in the training data; it has none");
    o.config.object_classes = object_classes->size();
  }
  std::unique_ptr<eval::ObjectLexicon> lexicon;
  if (o.attention_loss > 0 || (root && !o.val_data.empty() && !o.catalogue.empty()))
    lexicon = std::make_unique<eval::ObjectLexicon>(vision::load_scene_catalogue(o.catalogue));
  if (o.attention_loss > 0 && !std::any_of(data.images.begin(), data.images.end(),
                                           [](const vision::ImageRecord& r) { return !r.objects.empty(); }))
    throw Error("--attention-loss needs object boxes in the training data; it has none");
  std::unique_ptr<vision::CaptionDataset> val_data;
  std::optional<text::WordNet> wordnet;
  if (!o.val_data.empty()) {
    val_data = std::make_unique<vision::CaptionDataset>(vision::load_caption_dataset(o.val_data));
    if (val_data->images.empty()) throw Error("the validation set '" + o.val_data + "' has no usable images");
    if (root) wordnet = text::WordNet::load_debian_if_installed();
  }

  // Fresh start or resume.
  TrainResult result;
  std::unique_ptr<ResumeState> state;
  const std::string state_path = o.state_path();
  if (o.resume && std::filesystem::exists(state_path)) {
    state = std::make_unique<ResumeState>(load_resume_state(state_path));
    o.config.vocab_size = state->config.vocab_size;
    const std::string diff = run_json_difference(state->options_json, run_json(o));
    if (!diff.empty())
      throw Error("--resume: '" + state_path + "' is a different run; changed: " + diff);
  }
  const text::Vocabulary vocab = state ? text::Vocabulary::from_json(state->vocabulary_json, state_path)
                                       : build_vocabulary(data, o.min_count);
  o.config.vocab_size = vocab.size();
  validate(o.config);
  model::CaptionModel model(o.config, o.seed);
  StepSettings settings;
  settings.adam.lr = o.lr;
  settings.adam.weight_decay = o.weight_decay;
  settings.label_smoothing = o.label_smoothing;
  settings.clip = o.clip;
  settings.object_weight = o.object_loss;
  settings.attention_weight = o.attention_loss;
  const Precision matmuls = resolve_precision(o.precision);
  settings.bf16_matmuls = matmuls == Precision::Bf16;
  TrainingStep trainer(model, settings);
  TrainProgress progress;
  std::string init_summary;
  if (state) {
    restore(*state, state_path, model, trainer.optimizer());
    progress = state->progress;
    state.reset();
  } else if (!o.init.empty()) {
    init_summary = init_from_checkpoint(model, vocab, o.init).summary();
  }
  const std::string options_json = run_json(o);
  const std::string vocab_json = vocab.to_json();
  result.resumed_from = progress.step;

  TrainingLog log;
  if (root) log.load(o.log_path(), progress.step);
  ProgressReporter reporter(o.steps, progress.step, progress_out, stderr_is_terminal() && &progress_out == &std::cerr);
  if (root) {
    reporter.message((progress.step > 0 ? "resuming at step " + std::to_string(progress.step) + " of "
                                        : "training ") +
                     std::to_string(o.steps) + " steps: " + std::to_string(data.images.size()) +
                     " images, vocabulary " + std::to_string(vocab.size()) + ", " +
                     std::to_string(count_parameters(model.parameters())) + " parameters, fusion " +
                     fusion_name(o.config.fusion) + ", batch " + std::to_string(o.batch) +
                     (comm.distributed() ? " over " + std::to_string(comm.size()) + " ranks" : "") +
                     (settings.bf16_matmuls ? ", bf16 matmuls (fp32 weights and optimiser)" : ""));
    if (!init_summary.empty()) reporter.message("--init '" + o.init + "': " + init_summary);
  }

  int64_t saved_step = progress.step;  // the step of the training state on disk
  auto save_state = [&](int64_t step) {
    saved_step = step;
    if (!root) return;
    progress.step = step;
    save_resume_state(state_path, model, trainer.optimizer(), vocab_json, options_json, progress);
    log.save(o.log_path());
    save_training_curves(o.curves_path(), log, std::filesystem::path(o.out).filename().string() + "  (" +
                                                   fusion_name(o.config.fusion) + ")");
  };
  auto save_model = [&](int64_t step) {
    model::save_checkpoint(o.out, model, vocab_json, provenance(o, progress, step, comm.size(), data_infos, matmuls),
                           o.out_type);
  };

  const SamplePlan plan(data, o.seed, o.use_contexts);
  LrSchedule schedule{o.lr, o.min_lr, o.warmup, o.steps};
  std::vector<float> grad_buffer;
  const int64_t local_batch = o.batch / comm.size();
  double interval_loss = 0, interval_norm = 0, interval_object_loss = 0, interval_attention_loss = 0;
  int64_t interval_steps = 0, interval_samples = 0;
  auto interval_start = Clock::now();
  int64_t steps_here = 0;
  const auto run_start = Clock::now();

  for (int64_t step = progress.step; step < o.steps; ++step) {
    // This rank's slice of the step's global positions.
    std::vector<Sample> samples;
    samples.reserve(static_cast<size_t>(local_batch));
    const uint64_t first = static_cast<uint64_t>(step) * o.batch + comm.rank() * local_batch;
    for (int64_t j = 0; j < local_batch; ++j) samples.push_back(plan.at(first + j));
    const TrainingBatch batch =
        make_training_batch(data, samples, vocab, o.config, object_classes ? &*object_classes : nullptr,
                            o.attention_loss > 0 ? lexicon.get() : nullptr);

    set_dropout_step(static_cast<uint64_t>(step));
    const float local_mean = trainer.forward(batch);
    // The loss is the mean over every rank's target tokens: sum and count over ranks first.
    double totals[6] = {static_cast<double>(local_mean) * trainer.counted(),
                        static_cast<double>(trainer.counted()),
                        static_cast<double>(trainer.object_loss()) * trainer.object_counted(),
                        static_cast<double>(trainer.object_counted()),
                        static_cast<double>(trainer.attention_loss()) * trainer.attention_counted(),
                        static_cast<double>(trainer.attention_counted())};
    comm.sum(totals, 6);
    const double loss = step == o.fault_nan_at_step ? std::nan("") : totals[1] > 0 ? totals[0] / totals[1] : 0.0;
    if (!std::isfinite(loss)) {
      result.diverged = true;
      result.message = "loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                       std::to_string(step) + "; stopped without saving it. The last good training state is '" +
                       state_path + "' (step " + std::to_string(saved_step) +
                       "); lower --lr or raise --warmup and resume";
      break;
    }
    trainer.backward(batch, totals[1], totals[3], totals[5]);
    sum_gradients(model.parameters(), comm, grad_buffer);
    const float norm = trainer.clip();
    if (!std::isfinite(norm)) {
      result.diverged = true;
      result.message = "gradient norm is not finite at step " + std::to_string(step) +
                       "; stopped without applying it. The last good training state is '" + state_path +
                       "' (step " + std::to_string(saved_step) + ")";
      break;
    }
    const float lr = schedule.at(step);
    trainer.apply(lr);
    ++steps_here;
    const int64_t done = step + 1;

    interval_loss += loss;
    interval_norm += norm;
    if (totals[3] > 0) interval_object_loss += totals[2] / totals[3];
    if (totals[5] > 0) interval_attention_loss += totals[4] / totals[5];
    ++interval_steps;
    interval_samples += o.batch;
    const double seconds = std::chrono::duration<double>(Clock::now() - interval_start).count();
    const double rate = seconds > 0 ? interval_samples / seconds : 0.0;
    if (root) reporter.update({done, loss, lr, rate});
    if (done % o.log_every == 0 || done == o.steps) {
      if (root) {
        nlohmann::json row = {{"kind", "train"}, {"step", done}, {"loss", interval_loss / interval_steps},
                              {"lr", lr}, {"grad_norm", interval_norm / interval_steps}, {"samples_per_s", rate},
                              {"truncated_captions", batch.truncated_captions}};
        if (o.object_loss > 0) row["object_loss"] = interval_object_loss / interval_steps;
        if (o.attention_loss > 0) row["attention_loss"] = interval_attention_loss / interval_steps;
        log.add(row);
      }
      interval_loss = interval_norm = interval_object_loss = interval_attention_loss = 0;
      interval_steps = interval_samples = 0;
      interval_start = Clock::now();
    }

    const bool validate_now = val_data && ((o.val_every > 0 && done % o.val_every == 0) || done == o.steps);
    if (validate_now && root) {
      const ValidationResult v =
          run_validation(model, vocab, *val_data, o, lexicon.get(), wordnet ? &*wordnet : nullptr);
      nlohmann::json row = v.to_json();
      row["kind"] = "val";
      row["step"] = done;
      log.add(row);
      reporter.message("step " + std::to_string(done) + ": " + v.summary());
      if (v.score() > progress.best_score) {
        progress.best_score = v.score();
        progress.best_step = done;
        save_model(done);
        reporter.message("best so far: saved '" + o.out + "'");
      }
    }
    const double minutes = std::chrono::duration<double>(Clock::now() - run_start).count() / 60.0;
    const bool stop = done < o.steps && ((o.stop_after > 0 && steps_here >= o.stop_after) ||
                                         (o.max_minutes > 0 && minutes >= o.max_minutes) ||
                                         stop_requested());
    if (done % o.checkpoint_every == 0 || done == o.steps || validate_now || stop) save_state(done);
    progress.step = done;
    if (stop) {
      result.message = "stopped at step " + std::to_string(done) + " of " + std::to_string(o.steps) +
                       " with the training state saved in '" + state_path + "'; run again with --resume to continue";
      break;
    }
  }
  clear_dropout_step();
  if (root) reporter.finish();
  result.steps_done = progress.step;
  result.best_score = progress.best_score;
  result.best_step = progress.best_step;
  result.finished = !result.diverged && progress.step >= o.steps;
  if (result.finished && root && !val_data) save_model(progress.step);  // no validation: the last model
  if (result.finished && result.message.empty())
    result.message = "finished " + std::to_string(o.steps) + " steps" +
                     (result.best_step >= 0 ? "; best validation at step " + std::to_string(result.best_step) : "") +
                     "; model '" + o.out + "'";
  return result;
}

}  // namespace glimpse::train
