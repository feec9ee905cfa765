// Runs the glimpse executable as a user runs it, for the tests of the command line. GLIMPSE_CLI
// names the executable: tests/CMakeLists.txt defines it for each test program that runs it.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "test_files.h"

#ifndef GLIMPSE_CLI
#error "GLIMPSE_CLI must name the glimpse executable (tests/CMakeLists.txt)"
#endif

namespace glimpse::testing {

struct RunResult {
  int status;       // exit status; -1 when the program did not exit normally
  std::string out;  // standard output
};

// Runs the glimpse executable with `args` (in folder `cwd` when given); stderr goes to `err_file`.
inline RunResult run_glimpse(const std::string& args, const std::string& err_file, const std::string& cwd = "") {
  const std::string cmd = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + std::string(GLIMPSE_CLI) + " " + args +
                          " 2>" + err_file;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// What a run wrote to its `err_file`.
inline std::string slurp(const std::string& err_file) { return read_file(err_file); }

}  // namespace glimpse::testing
