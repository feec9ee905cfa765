#!/usr/bin/env bash
# Static analysis of Glimpse's own code: clang-tidy 14 (checks in .clang-tidy) and cppcheck
# (suppressions in scripts/cppcheck-suppressions.txt) over every project source that a build
# tree compiles, with that tree's flags (its compile_commands.json). Exits non-zero on any
# finding of either tool. Usage: scripts/lint.sh [BUILD_DIR]   (default: build)
#   GLIMPSE_LINT_JOBS  parallel clang-tidy processes (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tree=${1:-build}
jobs=${GLIMPSE_LINT_JOBS:-$(nproc)}
if [ ! -f "$tree/compile_commands.json" ]; then
  echo "lint: $tree/compile_commands.json missing; configure the tree first (scripts/build.sh)" >&2
  exit 2
fi
for tool in clang-tidy-14 cppcheck; do
  command -v "$tool" >/dev/null || { echo "lint: $tool missing; run scripts/setup.sh" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The project's own translation units, each once (app/paths.cpp is in two programs): not
# generated files in the build tree, not third_party/.
/usr/bin/python3 - "$tree/compile_commands.json" "$root" "$work/compile_commands.json" <<'EOF'
import json, os, re, sys
database, root, out = sys.argv[1:]

# The test programs' precompiled header (tests/CMakeLists.txt) is GCC's; clang-tidy cannot read
# it, and the files include what they use without it. The two flags are cut out of the command
# text as they stand: re-quoting the command (shlex) turns -DNAME=\"value\" into a form that
# cppcheck's reader of compile_commands.json drops, and with it the definition.
def without_pch(command):
    command = re.sub(r" -include \S*cmake_pch\S*", "", command)
    return command.replace(" -Winvalid-pch", "")

seen, kept = set(), []
for entry in json.load(open(database)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    relative = os.path.relpath(path, root)
    if relative.startswith(("..", "build", "third_party/")) or path in seen:
        continue
    seen.add(path)
    if "cmake_pch" in entry.get("command", ""):
        entry["command"] = without_pch(entry["command"])
    kept.append(entry)
json.dump(kept, open(out, "w"), indent=1)
EOF
/usr/bin/python3 -c 'import json, sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' \
  "$work/compile_commands.json" > "$work/files"
echo "lint: $(wc -l < "$work/files") translation units from $tree, clang-tidy on $jobs cores"

# cppcheck is quick (seconds): it reads the project's headers but not the system ones, so it
# runs beside clang-tidy. --library=googletest teaches it the TEST macros.
cppcheck --project="$work/compile_commands.json" --std=c++20 --library=googletest \
  --enable=warning,performance,portability,style --inline-suppr \
  --suppressions-list=scripts/cppcheck-suppressions.txt --error-exitcode=1 --quiet \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
  > "$work/cppcheck.log" 2>&1 &
cppcheck_pid=$!

# clang-tidy on batches of the files (scripts/lint_batches.py: one generated file includes
# up to 12 of them that share their flags, so the headers they all include are parsed and
# walked once per batch, not once per file); a batch that does not compile is split into
# smaller ones, down to single files. --config-file: the batches live outside the tree, where clang-tidy would not
# find .clang-tidy. Each clang-tidy prints its findings in one block (-P keeps them apart).
# "N warnings generated." is clang's count of suppressed (system header) warnings.
/usr/bin/python3 scripts/lint_batches.py "$work/compile_commands.json" "$work/batches" 12 "$jobs" \
  > "$work/batch_files"
echo "lint: clang-tidy on $(wc -l < "$work/batch_files") batches"
tidy_status=0
xargs -a "$work/batch_files" -P "$jobs" -n 1 \
  clang-tidy-14 -p "$work/batches" --config-file="$root/.clang-tidy" --quiet > "$work/tidy.log" 2>&1 || tidy_status=$?
grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
  "$work/tidy.log" || true

cppcheck_status=0
wait "$cppcheck_pid" || cppcheck_status=$?
cat "$work/cppcheck.log"

if [ "$tidy_status" -ne 0 ] || [ "$cppcheck_status" -ne 0 ]; then
  echo "lint: findings (clang-tidy exit $tidy_status, cppcheck exit $cppcheck_status)" >&2
  exit 1
fi
echo "lint: no findings"
