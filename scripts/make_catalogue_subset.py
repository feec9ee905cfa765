#!/usr/bin/env python3
"""Writes a smaller object catalogue for the shipped models: N objects taken round-robin over
the categories of assets/scene-objects.json (each category in its catalogue order), so every
category is represented and the subset is a pure function of the full catalogue and N.

    /usr/bin/python3 scripts/make_catalogue_subset.py 64 assets/scene-objects-64.json

Why a subset: see docs/models.md ("Recipe").
"""
import json
import os
import sys


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    full = json.load(open("assets/scene-objects.json", encoding="utf-8"))
    by_category = {}
    for obj in full["objects"]:
        by_category.setdefault(obj["category"], []).append(obj)
    chosen, rank = [], 0
    while len(chosen) < count and any(rank < len(v) for v in by_category.values()):
        for objects in by_category.values():
            if rank < len(objects) and len(chosen) < count:
                chosen.append(objects[rank])
        rank += 1
    keep = {o["name"] for o in chosen}
    subset = dict(full)
    subset["description"] = (f"{len(chosen)} of the {len(full['objects'])} objects of "
                             "scene-objects.json, round-robin over the categories "
                             "(scripts/make_catalogue_subset.py)")
    subset["objects"] = [o for o in full["objects"] if o["name"] in keep]
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(subset, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
