// A PNG of a run's curves, drawn from its metrics log: training and validation loss on the
// left, validation caption and grounding scores on the right.
#pragma once

#include <string>

#include "glimpse/train/training_log.h"
#include "glimpse/vision/image.h"

namespace glimpse::train {

vision::Image plot_training_curves(const TrainingLog& log, const std::string& title);
// plot_training_curves written atomically as PNG.
void save_training_curves(const std::string& path, const TrainingLog& log, const std::string& title);

}  // namespace glimpse::train
