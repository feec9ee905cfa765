// The glimpse command line. Thin: each subcommand parses its flags and calls the library;
// errors become one line on stderr and a non-zero exit code.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "bench_command.h"
#include "caption_command.h"
#include "compare_command.h"
#include "curves_command.h"
#include "eval_command.h"
#include "scenes_command.h"
#include "train_command.h"
#include "glimpse/core/threads.h"
#include "glimpse_version.h"

int main(int argc, char** argv) {
  CLI::App app{"Glimpse: image captioning with cross-attention you can see"};
  app.set_version_flag("--version", std::string("glimpse ") + GLIMPSE_VERSION);
  app.require_subcommand(0, 1);
  int exit_code = 0;
  glimpse::app::add_caption_command(app, exit_code);
  glimpse::app::add_bench_command(app);
  glimpse::app::add_scenes_command(app);
  glimpse::app::add_eval_command(app);
  glimpse::app::add_compare_command(app);
  glimpse::app::add_train_command(app, exit_code);
  glimpse::app::add_curves_command(app, exit_code);
  // GLIMPSE_THREADS for every command (those with --threads override it in their callback).
  glimpse::init_threads();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "glimpse: " << e.what() << "\n";
    return 1;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return exit_code;
}
