"""Build the cleaned ALFRED-L suite from the raw KARMA task lists.

Usage (from the repo root)::

    python -m karma_bench.clean_alfred_l ../shared/benchmarks/karma-alfred-l --out suites

writes ``suites/alfred_l.json`` (``karma-task-suite/1``, one episode per task, plus a
``dropped`` list the loader ignores) and ``suites/ALFRED_L_CLEANING.md``. The fixes live in
:mod:`karma_bench.alfred_l_fixes`; every kept task is re-validated against the procthor scene
data, and a kept task that fails a check stops the build (fix the table, not the output).

>>> split_raw("ON(apple, table): 1, INSIDE(x,(-1, 2)), STATE(a, b)")
['ON(apple, table)', 'INSIDE(x,(-1, 2))', 'STATE(a, b)']
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from karma_bench.alfred_l_fixes import (FIXES, PREDICATE_RENAMES, SCENE_CHOICES, STATE_RENAMES,
                                        SYNONYMS, Fix)
from karma_bench.alfred_l_fixes import __doc__ as POLICY
from karma_domain.goals import GoalParseError, parse_goal, type_key
from karma_bench.scenedata import scene_types
from karma_bench.suite import FORMAT, suite_from_dict
from karma_bench.validate import goal_problems, solved_at_reset

SOURCES = (("simple", "simple_tasks.json", "SimpleTasks"),
           ("composite", "composite_tasks.json", "CompositeTasks"),
           ("complex", "complex_tasks.json", "ComplexTasks"))
_RAW_GOAL = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?([A-Za-z]+)\s*\((.*)\)\s*$")


class CleaningError(RuntimeError):
    """A kept task fails validation: the fix table must handle it."""


def split_raw(text: str) -> list[str]:
    """Split a raw "Goal Condition" at top-level commas, dropping the ': 1' counts."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [re.sub(r":\s*\d+\s*$", "", p).strip() for p in parts if p.strip()]


def map_type(name: str, scene: str, overrides: dict[str, str], notes: list[str]) -> str:
    """Raw object name -> THOR objectType present in ``scene`` (notes say what changed)."""
    raw = name.strip()
    key = raw.lower()
    have = {type_key(t): t for t in scene_types(scene)}
    if key in overrides:
        out = overrides[key]
        why = "per-task override"
    elif key in SCENE_CHOICES:
        options = SCENE_CHOICES[key]
        out = next((t for t in options if type_key(t) in have), options[-1])
        missing = [t for t in options[: options.index(out)]]
        why = f"{scene} has no {'/'.join(missing)}" if missing else f"{scene} has one"
    elif key in SYNONYMS:
        out, why = SYNONYMS[key], "not a THOR type"
    else:
        out, why = have.get(key, raw[:1].upper() + raw[1:]), ""
    if out != raw and (why or out.lower() != key):
        notes.append(f"'{raw}' -> {out}" + (f" ({why})" if why else ""))
    return out


def map_goal(text: str, scene: str, overrides: dict[str, str], notes: list[str]) -> str:
    """Raw goal -> goal string in the suite grammar with THOR types."""
    m = _RAW_GOAL.match(text)
    if not m:
        raise CleaningError(f"cannot read raw goal {text!r}")
    count, pred, inner = m.groups()
    pred = PREDICATE_RENAMES.get(pred.upper(), pred.upper())
    if pred != m.group(2).upper():
        notes.append(f"{m.group(2)} -> {pred}")
    args = [a.strip() for a in inner.split(",")]
    if pred == "STATE" and len(args) == 2:
        state = STATE_RENAMES.get(args[1].lower(), args[1].lower())
        mapped = [map_type(args[0], scene, overrides, notes), state]
    else:
        mapped = [map_type(a, scene, overrides, notes) for a in args]
    return f"{count + '*' if count else ''}{pred}({', '.join(mapped)})"


def clean_task(category: str, raw: dict, fix: Fix) -> tuple[dict | None, dict]:
    """Return (suite task or None when dropped, record for the report)."""
    scene = f"FloorPlan{raw['FloorPlan']}"
    rec = {"source": f"{category}/{raw['ID']}", "scene": scene,
           "instruction": raw["Instruction"].strip(), "raw_goal": raw["Goal Condition"],
           "notes": list(fix.notes)}
    if fix.drop:
        rec["reason"] = fix.drop
        return None, rec
    auto: list[str] = []
    overrides = {k.lower(): v for k, v in fix.types.items()}
    goals = [map_goal(g, scene, overrides, auto) for g in (fix.goals or split_raw(raw["Goal Condition"]))]
    if fix.goals:
        auto.insert(0, "goals rewritten (see notes)")
    allowed = frozenset((type_key(o), type_key(r)) for o, r, _ in fix.allow)
    problems = []
    for g in goals:
        try:
            problems += goal_problems(parse_goal(g), scene, allowed)
        except GoalParseError as e:
            problems.append(str(e))
    if problems:
        raise CleaningError(f"{rec['source']} ({scene}): " + "; ".join(problems))
    solved, at_reset = solved_at_reset(goals, fix.ordered, scene)
    if solved:
        raise CleaningError(f"{rec['source']} ({scene}): already succeeds at reset")
    auto += [f"ALFWorld's table lacks {o} in {r}; kept: {why}" for o, r, why in fix.allow]
    auto += [f"holds at reset: {g}" for g in at_reset]
    rec.update(goals=goals, ordered=fix.ordered, notes=rec["notes"] + sorted(set(auto), key=auto.index))
    task = {"id": f"{category}-{raw['ID']:02d}", "category": category,
            "instruction": rec["instruction"], "goals": goals, "ordered": fix.ordered,
            "source": {"list": category, "ID": raw["ID"], "goal_condition": raw["Goal Condition"]}}
    if fix.allow:  # read by karma_bench.validate.task_allowed(); the loader ignores it
        task["allowed_placements"] = [[o, r] for o, r, _ in fix.allow]
    return task, rec


def build(raw_dir: Path) -> tuple[dict, list[dict]]:
    """Read the raw lists and return (suite document, per-task records)."""
    episodes, dropped, records = [], [], []
    for category, filename, key in SOURCES:
        for raw in json.loads((raw_dir / filename).read_text(encoding="utf-8"))[key]:
            fix = FIXES.get((category, raw["ID"]))
            if fix is None:
                raise CleaningError(f"no entry for {category}/{raw['ID']} in the fix table")
            task, rec = clean_task(category, raw, fix)
            records.append(rec)
            if task is None:
                dropped.append({k: rec[k] for k in ("source", "scene", "instruction", "raw_goal",
                                                    "reason")})
                continue
            episodes.append({"id": task["id"], "scene": rec["scene"], "seed": 0, "tasks": [task]})
    doc = {"format": FORMAT, "name": "alfred-l",
           "description": ("ALFRED-L from KARMA (arXiv 2409.14908), cleaned by"
                           " karma_bench.clean_alfred_l; see suites/ALFRED_L_CLEANING.md."
                           " Each task is its own episode (the raw lists are independent)."),
           "episodes": episodes, "dropped": dropped}
    suite_from_dict(doc)  # the output must load
    return doc, records


def render_md(records: list[dict]) -> str:
    """The cleaning report: policy, counts, one section per raw task."""
    lines = ["# ALFRED-L cleaning", "",
             "Generated by `python -m karma_bench.clean_alfred_l ../shared/benchmarks/karma-alfred-l"
             " --out suites`; do not edit by hand (edit `karma_bench/alfred_l_fixes.py`).", "",
             "Source: raw `ALFRED_L/*_tasks.json` of KARMA (arXiv 2409.14908), see"
             " `shared/benchmarks/karma-alfred-l/SOURCE.md`. Scene types: procthor"
             " `ai2thor-object-metadata.json`; placements: ALFWorld `VAL_RECEPTACLE_OBJECTS`.",
             "", "## Policy", ""]
    policy = POLICY.split("\n\n", 1)[1].replace("``", "`")
    policy = re.sub(r":\w+:`(\w+)`", r"`\1` in `karma_bench/alfred_l_fixes.py`", policy)
    lines += policy.strip().splitlines()
    lines += ["", "Checker aliases used by the goals: receptacle `Sink` also matches `SinkBasin`"
              " (THOR keeps things in the basin), `Bathtub` matches `BathtubBasin`; pieces"
              " (`AppleSliced`, `EggCracked`) count as their source type.", "",
              "## Counts", "", "| category | raw | kept | dropped |", "|---|---|---|---|"]
    for cat, _, _ in SOURCES:
        rs = [r for r in records if r["source"].startswith(cat + "/")]
        kept = sum("goals" in r for r in rs)
        lines.append(f"| {cat} | {len(rs)} | {kept} | {len(rs) - kept} |")
    lines += ["", "## Tasks", ""]
    for r in records:
        status = "kept" if "goals" in r else "DROPPED"
        lines += [f"### {r['source']} ({r['scene']}): {status}", "",
                  f"- instruction: {r['instruction']}", f"- raw goals: `{r['raw_goal']}`"]
        if "goals" in r:
            lines.append(f"- goals ({'ordered milestones' if r['ordered'] else 'all at the end'}):"
                         f" `{'`, `'.join(r['goals'])}`")
        else:
            lines.append(f"- dropped because: {r['reason']}")
        lines += [f"- {n}" for n in r["notes"]]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw_dir", type=Path, help="folder with the raw *_tasks.json lists")
    ap.add_argument("--out", type=Path, default=Path("suites"), help="output folder")
    args = ap.parse_args(argv)
    doc, records = build(args.raw_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "alfred_l.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    (args.out / "ALFRED_L_CLEANING.md").write_text(render_md(records), encoding="utf-8")
    kept = sum(len(e["tasks"]) for e in doc["episodes"])
    print(f"kept {kept}, dropped {len(doc['dropped'])} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
