"""Benchmark results in ``karma-bench-results/1``: ``results.json``, ``results.md``, plots.

>>> rec = {"episode": "e1", "task": "t1", "category": "simple", "success": True,
...        "goals_met": 1, "goals_total": 1, "steps": 14, "planner_calls": 1,
...        "prompt_tokens": 512, "wall_s": 0.8, "memory": "full"}
>>> summarize([rec])["success_rate"]
1.0

Summary numbers: ``success_rate`` = successful tasks / tasks; ``goal_condition_rate`` = mean
over tasks of goals_met / goals_total (ALFRED's GC); ``mean_steps`` = mean simulator actions.
The same three (plus ``n``, ``mean_planner_calls``, ``mean_prompt_tokens``) are given per
category, per memory mode (task key ``memory``, default from ``config["memory"]`` or
``"default"``) and per ``category/memory`` pair. Each group also has ``memory_quality``: the
tasks' memory judgements pooled (karma_bench.quality.pool; None when no task has one).
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from karma_bench.quality import pool
from karma_bench.suite import CATEGORIES

FORMAT = "karma-bench-results/1"
REQUIRED = {"episode": str, "task": str, "category": str, "success": bool, "goals_met": int,
            "goals_total": int, "steps": int, "planner_calls": int, "prompt_tokens": int,
            "wall_s": (int, float)}
# Optional per-task keys runs are expected to add when they know them.
EXTRA_KEYS = ("completion_tokens", "nav_distance_m", "regions_explored", "retrieval_accuracy",
              "stm_hit_rate", "memory", "memory_quality", "world_changes", "not_run", "executed",
              "plan_latency_s")


def check_record(rec: dict[str, Any]) -> None:
    """Raise ValueError when a task record lacks a required key or has a wrong type."""
    where = f"task {rec.get('episode')!r}/{rec.get('task')!r}"
    for key, kind in REQUIRED.items():
        if key not in rec:
            raise ValueError(f"{where}: missing {key!r}")
        v = rec[key]
        if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
            raise ValueError(f"{where}: {key!r} has the wrong type ({type(v).__name__})")
    if rec["category"] not in CATEGORIES:
        raise ValueError(f"{where}: category {rec['category']!r} is not one of {CATEGORIES}")
    if not 0 <= rec["goals_met"] <= rec["goals_total"]:
        raise ValueError(f"{where}: goals_met must be within 0..goals_total")


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _quantile(xs: list[float], q: float) -> float | None:
    """Nearest-rank quantile, None for no values.

    >>> _quantile([4, 1, 3, 2], 0.5), _quantile([4, 1, 3, 2], 0.95), _quantile([], 0.5)
    (2, 4, None)
    """
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def _stats(recs: list[dict]) -> dict[str, Any]:
    lat = [float(x) for r in recs for x in r.get("plan_latency_s") or ()]
    return {
        "n": len(recs),
        "success_rate": _mean([1.0 if r["success"] else 0.0 for r in recs]),
        "goal_condition_rate": _mean([r["goals_met"] / r["goals_total"] if r["goals_total"] else
                                      float(r["success"]) for r in recs]),
        "mean_steps": _mean([float(r["steps"]) for r in recs]),
        "mean_planner_calls": _mean([float(r["planner_calls"]) for r in recs]),
        "mean_prompt_tokens": _mean([float(r["prompt_tokens"]) for r in recs]),
        "memory_quality": pool([r.get("memory_quality") for r in recs]),
        # over every plan call of the group whose timing the planner logged
        "plan_latency_p50_s": _quantile(lat, 0.50),
        "plan_latency_p95_s": _quantile(lat, 0.95),
    }


def summarize(tasks: list[dict], default_memory: str = "default") -> dict[str, Any]:
    """Summary block: overall numbers plus by_category, by_memory, by_category_memory."""
    out = _stats(tasks)
    groups: dict[str, dict[str, list]] = {"by_category": defaultdict(list),
                                          "by_memory": defaultdict(list),
                                          "by_category_memory": defaultdict(list)}
    for r in tasks:
        mem = str(r.get("memory", default_memory))
        groups["by_category"][r["category"]].append(r)
        groups["by_memory"][mem].append(r)
        groups["by_category_memory"][f"{r['category']}/{mem}"].append(r)
    for name, g in groups.items():
        out[name] = {k: _stats(v) for k, v in sorted(g.items(), key=lambda kv: _order(kv[0]))}
    return out


def _order(key: str) -> tuple:
    # Categories in their natural order (simple, composite, complex), then by name.
    cat = key.split("/")[0]
    return (CATEGORIES.index(cat) if cat in CATEGORIES else len(CATEGORIES), key)


def results_doc(suite: str, config: dict, tasks: Iterable[dict]) -> dict[str, Any]:
    """Validate task records and build the ``karma-bench-results/1`` document."""
    tasks = [dict(t) for t in tasks]
    for t in tasks:
        check_record(t)
    default_memory = str(config.get("memory", "default"))
    return {"format": FORMAT, "suite": suite, "config": config, "tasks": tasks,
            "summary": summarize(tasks, default_memory)}


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else f"{v:.1f}"


def _fmt2(v: Any) -> str:
    return "-" if v is None else f"{v:.2f}"


def render_md(doc: dict[str, Any]) -> str:
    """Markdown report: overall table, one table per category (rows: memory modes),
    then every task."""
    s = doc["summary"]
    head = ["| memory | n | success | goal conditions | mean steps | planner calls | prompt tokens"
            " | plan p50 s | plan p95 s |",
            "|---|---|---|---|---|---|---|---|---|"]

    def row(label: str, st: dict) -> str:
        return (f"| {label} | {st['n']} | {_fmt(st['success_rate'], True)} |"
                f" {_fmt(st['goal_condition_rate'], True)} | {_fmt(st['mean_steps'])} |"
                f" {_fmt(st['mean_planner_calls'])} | {_fmt(st['mean_prompt_tokens'])} |"
                f" {_fmt2(st.get('plan_latency_p50_s'))} | {_fmt2(st.get('plan_latency_p95_s'))} |")

    lines = [f"# Results: {doc['suite']}", "", f"Format `{doc['format']}`; {s['n']} tasks.", "",
             "## All categories", "", *head, row("all", s)]
    lines += [row(m, st) for m, st in s["by_memory"].items()]
    for cat in s["by_category"]:
        lines += ["", f"## {cat}", "", *head, row("all", s["by_category"][cat])]
        lines += [row(k.split("/", 1)[1], st) for k, st in s["by_category_memory"].items()
                  if k.split("/", 1)[0] == cat]
    lines += _quality_md(s)
    lines += ["", "## Tasks", "",
              "| episode | task | category | memory | success | goals | steps | wall s |",
              "|---|---|---|---|---|---|---|---|"]
    default_memory = str(doc.get("config", {}).get("memory", "default"))
    for t in doc["tasks"]:
        lines.append(f"| {t['episode']} | {t['task']} | {t['category']} |"
                     f" {t.get('memory', default_memory)} | {'yes' if t['success'] else 'no'} |"
                     f" {t['goals_met']}/{t['goals_total']} | {t['steps']} | {t['wall_s']:.2f} |")
    return "\n".join(lines) + "\n"


def _quality_md(s: dict[str, Any]) -> list[str]:
    """Memory quality per memory mode (nothing when no task was judged)."""
    rows = [(m, st["memory_quality"]) for m, st in s["by_memory"].items() if st.get("memory_quality")]
    if not rows:
        return []
    lines = ["", "## Memory quality (long-term memory vs ground truth)", "",
             "| memory | recall | recall (2+ sightings) | precision | duplicates |"
             " position error m | containment | containment (THOR's first) | stale beliefs / task |",
             "|---|---|---|---|---|---|---|---|---|"]
    for m, q in rows:
        err = "-" if q["position_error_m"] is None else f"{q['position_error_m']:.3f}"
        lines.append(f"| {m} | {_fmt(q['recall'], True)} | {_fmt(q.get('recall_repeated'), True)} |"
                     f" {_fmt(q['precision'], True)} |"
                     f" {_fmt(q['duplicate_rate'], True)} | {err} |"
                     f" {_fmt(q['containment_accuracy'], True)} | {_fmt(q.get('containment_first'), True)} |"
                     f" {q['stale_beliefs']:.2f} |")
    return lines


def write_plots(doc: dict[str, Any], out_dir: Path) -> list[Path]:
    """Grouped bar charts (x: category, bars: memory mode) of success rate and mean steps."""
    # Figure + FigureCanvasAgg instead of pyplot: no global backend state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    s = doc["summary"]
    cats = list(s["by_category"])
    mems = list(s["by_memory"])
    paths = []
    for key, title, fname in (("success_rate", "Success rate", "success_rate.png"),
                              ("mean_steps", "Mean steps", "mean_steps.png")):
        fig = Figure(figsize=(6, 3.5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        width = 0.8 / max(len(mems), 1)
        for j, mem in enumerate(mems):
            vals = [s["by_category_memory"].get(f"{c}/{mem}", {}).get(key) or 0.0 for c in cats]
            xs = [i + (j - (len(mems) - 1) / 2) * width for i in range(len(cats))]
            ax.bar(xs, vals, width, label=mem)
        ax.set_xticks(range(len(cats)), cats)
        ax.set_title(f"{title} per category and memory mode ({doc['suite']})")
        if key == "success_rate":
            ax.set_ylim(0, 1)
        ax.legend(title="memory")
        fig.tight_layout()
        path = out_dir / fname
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths


def write_results(out_dir: str | Path, suite: str, config: dict, tasks: Iterable[dict],
                  plots: bool = True) -> dict[str, Path]:
    """Write results.json, results.md and (with ``plots``) the PNGs into ``out_dir``.

    Returns the written paths by name ("json", "md", "success_rate", "mean_steps").
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = results_doc(suite, config, tasks)
    paths = {"json": out / "results.json", "md": out / "results.md"}
    paths["json"].write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(render_md(doc), encoding="utf-8")
    if plots:
        for p in write_plots(doc, out):
            paths[p.stem] = p
    return paths
