#!/usr/bin/python3
"""scripts/lint_batches.py on three small files: two that define the same internal helper
(they cannot share a batch) and one that compiles with either. Every file must be linted
exactly once, the clashing pair never in one batch, and a batch that compiles kept whole."""
import json
import os
import subprocess
import sys
import tempfile

script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lint_batches.py")

with tempfile.TemporaryDirectory() as work:
    sources = {
        "a.cpp": "namespace { int helper() { return 1; } }\nint a() { return helper(); }\n",
        "b.cpp": "namespace { int helper() { return 2; } }\nint b() { return helper(); }\n",
        "c.cpp": "int c() { return 3; }\n",
    }
    database = []
    for name, text in sources.items():
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        database.append({"directory": work, "file": path,
                         "command": "/usr/bin/c++ -std=c++20 -Wall -Werror -o %s.o -c %s" % (name, path)})
    with open(os.path.join(work, "db.json"), "w") as f:
        json.dump(database, f)
    out = subprocess.run([sys.executable, script, os.path.join(work, "db.json"), os.path.join(work, "batches"),
                          "12", "2"], check=True, capture_output=True, text=True).stdout.split()

    batches = json.load(open(os.path.join(work, "batches", "compile_commands.json")))
    assert sorted(e["file"] for e in batches) == sorted(out), (out, batches)
    linted = []
    for path in out:
        if path.endswith(tuple(sources)):
            linted.append([os.path.basename(path)])
        else:
            included = [line.split('"')[1] for line in open(path) if line.startswith("#include")]
            linted.append([os.path.basename(p) for p in included])
    names = sorted(n for batch in linted for n in batch)
    assert names == ["a.cpp", "b.cpp", "c.cpp"], linted
    assert not any({"a.cpp", "b.cpp"} <= set(batch) for batch in linted), linted
    # [a, b, c] fails and splits into [a] and [b, c]; [b, c] compiles and stays one batch.
    assert ["b.cpp", "c.cpp"] in linted, linted
    for entry in batches:
        assert entry["arguments"][-2:] == ["-c", entry["file"]], entry
print("lint_batches: clashing files linted apart, the rest batched")
