#!/usr/bin/python3
"""bf16 against fp32 captions on one dataset: runs `glimpse eval --json` once per precision
and prints how many images got the identical caption, object F1 and pointing for each, and the
captions that differ. Exits 1 when the share of identical captions is below --min-agreement.

  /usr/bin/python3 bench/precision_agreement.py --model assets/models/concat.safetensors \\
      --data DIR --limit 500 [--glimpse build/app/glimpse] [--min-agreement 0.98]
"""
import argparse
import json
import subprocess
import sys


def evaluate(args, precision):
    cmd = [args.glimpse, "eval", "--model", args.model, "--data", args.data, "--limit", str(args.limit),
           "--contexts", "none", "--bootstrap", "0", "--precision", precision, "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"precision_agreement: {' '.join(cmd)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--glimpse", default="build/app/glimpse")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--min-agreement", type=float, default=0.0)
    p.add_argument("--show", type=int, default=20, help="differing captions to print")
    args = p.parse_args()
    fp32, bf16 = evaluate(args, "fp32"), evaluate(args, "bf16")
    pairs = list(zip(fp32["per_image"], bf16["per_image"]))
    if not pairs or len(fp32["per_image"]) != len(bf16["per_image"]):
        sys.exit("precision_agreement: the two evaluations scored different image lists")
    differing = [(a["file_name"], a["caption"], b["caption"]) for a, b in pairs if a["caption"] != b["caption"]]
    same = len(pairs) - len(differing)
    share = same / len(pairs)
    print(f"identical captions: {same} of {len(pairs)} ({100 * share:.1f} %)")
    for name, report in (("fp32", fp32), ("bf16", bf16)):
        print(f"{name}: object F1 {report['objects']['f1']:.3f}, "
              f"pointing (predicted, layer mean) {report['pointing']['predicted']['all']['accuracy']:.3f}")
    for file_name, a, b in differing[:args.show]:
        print(f"  {file_name}\n    fp32: {a}\n    bf16: {b}")
    if share < args.min_agreement:
        print(f"below --min-agreement {args.min_agreement}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
