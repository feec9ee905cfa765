#!/usr/bin/python3
"""Batches of translation units for clang-tidy (scripts/lint.sh).

clang-tidy spends most of its time walking each translation unit's whole AST, and most of
that AST is the same headers (the standard library, Eigen, nlohmann_json, GoogleTest, CLI11)
again and again. A batch is one generated file that #includes several of the project's .cpp
files that are compiled with the same flags (as CMake's unity builds do), so the headers are
parsed and walked once per batch instead of once per file. The included files are reported on
like headers (.clang-tidy's HeaderFilterRegex takes the project's .cpp files too).

Files that do not compile together (two of them define the same internal name, or one's
`using namespace` makes the next one's names ambiguous) are found by compiling each batch
with -fsyntax-only first; a batch that fails is split in two and each half tried again, down
to single files, which are linted on their own as before. What a compiler cannot see, a
macro or using-directive of one file quietly changing what a later one means, batching could
hide; the project's .cpp files keep their macros to names no other file uses and their
using-directives inside their own namespaces.

Usage: lint_batches.py DATABASE OUT_DIR MAX_FILES JOBS
  DATABASE   compile_commands.json of the files to lint (one entry per file)
  OUT_DIR    where the batch files and their compile_commands.json are written
Prints the paths to give clang-tidy, largest batch first.
"""
import concurrent.futures
import itertools
import json
import os
import shlex
import subprocess
import sys


def flags_of(entry):
    """The compile command without its output and input: the key files are batched by."""
    words, kept, skip = shlex.split(entry["command"]), [], False
    for word in words:
        if skip:
            skip = False
        elif word == "-o":
            skip = True
        elif word == "-c" or word == entry["file"]:
            continue
        else:
            kept.append(word)
    return kept


def compiles(directory, flags, source):
    # clang++ reads the GCC tree's flags as clang-tidy does; GCC-only warning flags are not errors.
    command = ["clang++-14"] + flags[1:] + ["-Wno-unknown-warning-option", "-fsyntax-only", source]
    return subprocess.run(command, cwd=directory, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def main():
    database, out_dir, max_files, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out_dir, exist_ok=True)
    groups = {}
    for entry in json.load(open(database)):
        flags = flags_of(entry)
        groups.setdefault((entry["directory"], shlex.join(flags)), (flags, []))[1].append(entry["file"])

    counter = itertools.count(1)
    entries, final = [], []  # final: (file count, path for clang-tidy)

    def write_batch(files):
        path = os.path.join(out_dir, "batch%03d.cpp" % next(counter))
        with open(path, "w") as f:
            f.write("".join('#include "%s"\n' % p for p in files))
        return path

    def settle(directory, flags, files):
        """The batches `files` end up in: itself if it compiles, else its halves, recursively."""
        if len(files) == 1:
            return [(directory, flags, files, files[0])]
        path = write_batch(files)
        if compiles(directory, flags, path):
            return [(directory, flags, files, path)]
        half = len(files) // 2
        return settle(directory, flags, files[:half]) + settle(directory, flags, files[half:])

    # `jobs` batches are checked at a time (their halves one after the other, in the same thread).
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    futures = []
    for (directory, _), (flags, files) in groups.items():
        for start in range(0, len(files), max_files):
            futures.append(pool.submit(settle, directory, flags, files[start:start + max_files]))
    for future in futures:
        for directory, flags, files, path in future.result():
            entries.append({"directory": directory, "file": path, "arguments": flags + ["-c", path]})
            final.append((len(files), path))
    pool.shutdown()

    with open(os.path.join(out_dir, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)
    for _, path in sorted(final, key=lambda b: -b[0]):
        print(path)


if __name__ == "__main__":
    main()
