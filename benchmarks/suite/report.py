"""Turn the runs of ``run.py`` into tables (Markdown, reStructuredText, CSV) and PNG plots.

Definitions used in the tables:

* **best CV score**: the best mean cross-validated score a method found
  within the budget (mean ± std over seeds);
* **normalised score** (Bayesmark's): ``100 * (best - random) / (top -
  random)`` per run, where ``random`` is RandomizedSearchCV's mean best score
  at the same budget and ``top`` the best score any method reached on the
  task (any seed), then averaged over seeds: 0 is random search, 100 the
  best observed, below 0 worse than random search;
* **wall time**: seconds in ``fit`` (no refit), scaled to the budget for a
  method that overshoots it (GASearchCV stops only at the end of a
  generation);
* **overhead per candidate**: (wall time − Σ fit and score times recorded by
  scikit-learn) / number of candidates, with n_jobs=1: the optimiser's own
  time plus the search's bookkeeping; for hptune's searches also the CPU
  time of the strategy's ask and tell alone;
* **speed-up**: wall time with n_jobs=1 divided by wall time with n_jobs=2,
  same task, seed and budget, run one after the other (no other benchmark
  run beside them), after joblib's worker pool was started (hptune and
  scikit-optimize's Bayes searches propose ``n_points=n_jobs`` candidates
  at a time).

``report.rst`` references its images relative to ``doc/`` (the Sphinx source
folder), so that ``doc/benchmarks.rst`` can include it (``doc/conf.py`` writes
the include), and its title names the budget, tasks and seeds, so that several
reports can share the page.
"""

import csv
import math
import os
from pathlib import Path

import numpy as np

DOC = Path(__file__).resolve().parents[2] / "doc"
RANDOM = "RandomizedSearchCV"
#: top - random below this (in score units): the task is saturated
SATURATED = 1e-3
HPTUNE = ("hptune.BayesSearchCV", "hptune.EvolutionSearchCV", "hptune.PBTSearchCV")


# -- statistics ---------------------------------------------------------------------------------


def _cv_runs(runs, part=None):
    return [r for r in runs if r["kind"] == "cv" and r.get("part") == part]


def _ordered(values, order):
    return [v for v in order if v in values] + sorted(set(values) - set(order))


def summarise_cv(runs, meta):
    """task -> method -> statistics over seeds (see the module docstring)."""
    by = {}
    for r in _cv_runs(runs):
        by.setdefault(r["task"], {}).setdefault(r["method"], []).append(r)
    summary = {}
    for task, methods in by.items():
        ok = {m: [r for r in rs if r["ok"] and np.isfinite(r["best_score"])] for m, rs in methods.items()}
        rand = [r["best_score"] for r in ok.get(RANDOM, [])]
        base = float(np.mean(rand)) if rand else math.nan
        top = max((r["best_score"] for rs in ok.values() for r in rs), default=math.nan)
        summary[task] = {}
        for method, rs in methods.items():
            good = ok[method]
            if not good:
                summary[task][method] = dict(failed=rs[0].get("error", "no finite score"), n_runs=len(rs))
                continue
            best = np.array([r["best_score"] for r in good])
            # Saturated task (random search already found the top score):
            # the normalised score is undefined there.
            denom = top - base
            norm = 100 * (best - base) / denom if denom >= SATURATED else np.full(len(best), math.nan)
            walls = np.array([r["wall"] * min(1.0, meta["budget"] / _spent(r, meta)) for r in good])
            overhead = np.array([(r["wall"] - r["fit_score_time"]) / r["n_candidates"] for r in good])
            strategy_cpu = [r["strategy_cpu"] / r["n_candidates"] for r in good if "strategy_cpu" in r]
            summary[task][method] = dict(
                best_mean=float(best.mean()), best_std=float(best.std()), norm_mean=float(np.mean(norm)),
                norm_std=float(np.std(norm)), wall_mean=float(walls.mean()), wall_std=float(walls.std()),
                overhead_ms=float(1e3 * np.median(overhead)), n_candidates=float(np.mean([r["n_candidates"] for r in good])),
                n_runs=len(good), n_failed=len(rs) - len(good),
            )
            if strategy_cpu:
                summary[task][method]["strategy_cpu_ms"] = float(1e3 * np.median(strategy_cpu))
    return summary


def _spent(run, meta):
    """Evaluations a run spent, in full evaluations (only GASearchCV overshoots)."""
    return run["n_candidates"] if run["method"] == "GASearchCV" else meta["budget"]


def headline(summary, methods):
    """method -> mean normalised score over tasks, wins, mean rank, wall ratio, overhead."""
    rows = {}
    for method in methods:
        norms, ranks, wins, ratios, overheads, cpus = [], [], 0, [], [], []
        for entries in summary.values():
            e = entries.get(method)
            if e is None or "failed" in e:
                continue
            norms.append(e["norm_mean"])
            valid = {m: v["best_mean"] for m, v in entries.items() if "failed" not in v}
            order = sorted(valid.values(), reverse=True)
            ranks.append(1 + order.index(e["best_mean"]))
            wins += e["best_mean"] == order[0]
            if RANDOM in entries and "failed" not in entries[RANDOM]:
                ratios.append(e["wall_mean"] / entries[RANDOM]["wall_mean"])
            overheads.append(e["overhead_ms"])
            if "strategy_cpu_ms" in e:
                cpus.append(e["strategy_cpu_ms"])
        if norms:
            rows[method] = dict(
                norm=float(np.nanmean(norms)) if np.isfinite(norms).any() else math.nan,
                norm_median=float(np.nanmedian(norms)) if np.isfinite(norms).any() else math.nan, n_tasks=len(norms), wins=wins, rank=float(np.mean(ranks)),
                wall_ratio=float(np.exp(np.mean(np.log(ratios)))) if ratios else math.nan,
                overhead_ms=float(np.median(overheads)),
            )
            if cpus:
                rows[method]["strategy_cpu_ms"] = float(np.median(cpus))
    return rows


def summarise_speedup(runs):
    """(task, method) -> speed-up, or the error."""
    pairs = {}
    for r in _cv_runs(runs, part="speedup"):
        pairs.setdefault((r["task"], r["method"]), {})[r["n_jobs"]] = r
    out = {}
    for key, d in pairs.items():
        one, two = d.get(1), d.get(2)
        if one and two and one["ok"] and two["ok"]:
            out[key] = dict(wall1=one["wall"], wall2=two["wall"], speedup=one["wall"] / two["wall"])
        else:
            bad = next((x for x in (one, two) if x and not x["ok"]), None)
            out[key] = dict(failed=bad["error"] if bad else "missing run")
    return out


def summarise_regret(runs):
    """function -> method -> regrets over seeds and their curves."""
    out = {}
    for r in runs:
        if r["kind"] == "regret" and r["ok"]:
            e = out.setdefault(r["function"], {}).setdefault(r["method"], dict(regrets=[], curves=[], opt_s=[]))
            e["regrets"].append(r["regret"])
            e["curves"].append(r["curve"])
            e["opt_s"].append(r["optimizer_seconds"])
    return out


# -- tables -----------------------------------------------------------------------------------


class Table:
    """A table rendered as Markdown, reStructuredText (list-table) and CSV rows."""

    def __init__(self, title, header, rows, note=""):
        self.title, self.header, self.rows, self.note = title, header, rows, note

    def markdown(self):
        def cell(c):
            return str(c).replace("|", "\\|")

        lines = [f"### {self.title}", ""]
        if self.note:
            lines += [self.note, ""]
        lines += ["| " + " | ".join(map(cell, self.header)) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(map(cell, row)) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def rst(self):
        lines = [self.title, "~" * len(self.title), ""]
        if self.note:
            lines += [_md_to_rst(self.note), ""]
        lines += [".. list-table::", "   :header-rows: 1", ""]
        for row in [self.header, *self.rows]:
            lines.append("   * - " + _rst_cell(row[0]))
            lines += ["     - " + _rst_cell(c) for c in row[1:]]
        return "\n".join(lines) + "\n"


def _md_to_rst(text):
    return text.replace("**", "**").replace("`", "``")


def _rst_cell(c):
    text = str(c)
    return text if text else "\\-"


def _pm(mean, std, fmt=".4f"):
    return f"{mean:{fmt}} ± {std:{fmt}}"


def _bold(text, on, style="md"):
    return f"**{text}**" if on else text


def cv_tables(summary, head, methods, meta):
    tasks = list(summary)
    shown = [m for m in methods if m in head or any(m in summary[t] for t in tasks)]
    tables = []
    rows = []
    for m in sorted(head, key=lambda m: -head[m]["norm"] if np.isfinite(head[m]["norm"]) else math.inf):
        h = head[m]
        rows.append([m, _fmt(h["norm"]), _fmt(h["norm_median"]), f"{h['rank']:.1f}", f"{h['wins']}/{h['n_tasks']}",
                     f"{h['wall_ratio']:.2f}", _overhead_cell(h, "{:.1f}")])
    tables.append(Table(
        "Headline: all tasks",
        ["method", "normalised score (mean over tasks)", "(median)", "mean rank", "tasks won", "wall time / random search (geo. mean)",
         "overhead ms/candidate (median)"],
        rows,
        f"Budget {meta['budget']} candidates, seeds {meta['seeds']}, 3-fold CV. Normalised score: 0 = "
        "RandomizedSearchCV at the same budget, 100 = best score any method reached on the task. "
        "Rank and wins by mean best CV score per task (ties share the rank). "
        "Saturated tasks (see below) do not enter the normalised score.",
    ))

    def grid(title, fmt_cell, note, best_of=None):
        rows = []
        for t in tasks:
            cells = [t]
            top = None
            if best_of:
                vals = [best_of(summary[t][m]) for m in shown if m in summary[t] and "failed" not in summary[t][m]]
                vals = [v for v in vals if np.isfinite(v)]
                top = max(vals) if vals else None
            for m in shown:
                e = summary[t].get(m)
                if e is None:
                    cells.append("–")
                elif "failed" in e:
                    cells.append("failed")
                elif best_of is not None and not np.isfinite(best_of(e)):
                    cells.append("sat.")
                else:
                    cells.append(_bold(fmt_cell(e), best_of is not None and best_of(e) == top))
            rows.append(cells)
        return Table(title, ["task", *shown], rows, note)

    tables.append(grid("Normalised score per task", lambda e: f"{e['norm_mean']:.0f} ± {e['norm_std']:.0f}",
                       "Mean ± std over seeds; best per task in bold; 'sat.': random search already reached "
                       "the top score, so the task cannot separate the methods.", lambda e: e["norm_mean"]))
    tables.append(grid("Best CV score per task", lambda e: _pm(e["best_mean"], e["best_std"]),
                       "Mean ± std over seeds of the best mean CV score (accuracy for classifiers, R² for "
                       "regressors); GridSearchCV is deterministic (one run).", lambda e: e["best_mean"]))
    tables.append(grid("Wall time per task (s)", lambda e: f"{e['wall_mean']:.1f}",
                       "Mean over seeds, n_jobs=1, runs side by side on 2 cores (one thread each)."))
    tables.append(grid("Optimiser overhead per candidate (ms)", lambda e: _overhead_cell(e, "{:.0f}"),
                       "(wall − Σ fit and score times) / candidates, median over seeds, n_jobs=1. "
                       "HalvingRandomSearchCV counts all its (mostly small) candidates. In brackets, for "
                       "hptune's searches: the CPU time of the strategy's ask and tell alone, the part of "
                       "the overhead that is the optimiser's (the rest is scikit-learn's work per "
                       "evaluate_candidates call, and the load of the machine)."))
    return tables


def _overhead_cell(entry, fmt):
    cell = fmt.format(entry["overhead_ms"])
    if "strategy_cpu_ms" in entry:
        cell += f" ({entry['strategy_cpu_ms']:.1f} cpu)"
    return cell


def speedup_table(speed, methods):
    if not speed:
        return None
    tasks = _ordered({t for t, _ in speed}, [])
    shown = [m for m in methods if any((t, m) in speed for t in tasks)]
    rows = []
    for t in tasks:
        cells = [t]
        for m in shown:
            e = speed.get((t, m))
            cells.append("–" if e is None else "failed" if "failed" in e else
                         f"{e['speedup']:.2f} ({e['wall1']:.0f}→{e['wall2']:.0f} s)")
        rows.append(cells)
    return Table("Speed-up from n_jobs=1 to n_jobs=2", ["task", *shown], rows,
                 "Wall time with n_jobs=1 / with n_jobs=2 (seconds in brackets), one seed, run one at a time, "
                 "joblib's worker pool started before timing; Bayes searches use n_points=n_jobs. "
                 "Below 1: parallelism does not pay at this fit cost on this machine.")


def regret_table(regret, meta):
    if not regret:
        return None
    methods = _ordered({m for f in regret.values() for m in f},
                       ["random", "hptune Bayes", "hptune Evolution", "skopt GP", "Optuna TPE", "Optuna GP"])
    rows = []
    for f, entries in regret.items():
        base = np.median(entries["random"]["regrets"]) if "random" in entries else math.nan
        vals = {m: np.median(e["regrets"]) for m, e in entries.items()}
        top = min(vals.values())
        cells = [f]
        for m in methods:
            e = entries.get(m)
            if e is None:
                cells.append("–")
                continue
            med = vals[m]
            lo, hi = np.min(e["regrets"]), np.max(e["regrets"])
            text = f"{med:.3g} [{lo:.3g}, {hi:.3g}] ×{med / base:.2g}" if base > 0 else f"{med:.3g}"
            cells.append(_bold(text, med == top))
        rows.append(cells)
    return Table(f"Synthetic functions: simple regret after {meta['synthetic_budget']} evaluations",
                 ["function", *methods], rows,
                 "Median [min, max] over seeds, and the ratio to random search's median (lower is better); "
                 "best in bold. mixed6: 2 reals, a log-real, an integer and 2 interacting categoricals.")


def ask_time_table(runs):
    rows_by = {r["method"]: r["rows"] for r in runs if r["kind"] == "ask_time" and r["ok"]}
    if not rows_by:
        return None
    sizes = sorted({row["n_obs"] for rows in rows_by.values() for row in rows})
    rows = []
    for m, rs in rows_by.items():
        cells = [m]
        by_n = {row["n_obs"]: row for row in rs}
        for n in sizes:
            row = by_n.get(n)
            cells.append("–" if row is None else "skipped" if "skipped" in row else _ask_cell(row))
        rows.append(cells)
    return Table("Seconds per proposal vs number of observations", ["method", *[f"N={n}" for n in sizes]], rows,
                 "One ask plus the tell of its value after N random observations of mixed6 (6-D), median of 3, "
                 "wall time (CPU time in brackets, where recorded); "
                 "'skipped': a smaller N already took more than the limit.")


def _ask_cell(row):
    if "median_cpu_seconds" not in row:  # runs recorded before the CPU time was
        return f"{row['median_seconds']:.3f}"
    return f"{row['median_seconds']:.3f} ({row['median_cpu_seconds']:.3f})"


def failures(meta, runs):
    lines = []
    for lib, s in meta["libraries"].items():
        if not s["ok"]:
            lines.append(f"- **{lib}** could not run: `{s['error'][:400]}`")
        elif "error_here" in s:
            lines.append(f"- **{lib}** failed in the main environment (`{s['error_here'][:300]}`) "
                         f"and was run under `{s['python']}` ({s['versions']})")
    for r in runs:
        if not r["ok"] and r["kind"] != "probe":
            what = r.get("task") or r.get("function") or ""
            lines.append(f"- run {r['kind']} {what} {r['method']} seed {r.get('seed')}: `{r['error'][:300]}`")
    return lines


def _fmt(x):
    return f"{x:.1f}" if np.isfinite(x) else "n/a (saturated)"


def _num(x):
    return f"{x:.0f}" if np.isfinite(x) else "n/a (saturated)"


def not_best(summary, head):
    """Tasks where no hptune method has the best mean best CV score (ties count as best)."""
    lines = []
    for task, entries in summary.items():
        valid = {m: e for m, e in entries.items() if "failed" not in e}
        if not valid:
            continue
        winner = max(valid, key=lambda m: valid[m]["best_mean"])
        ours = [m for m in HPTUNE if m in valid]
        if winner in HPTUNE or not ours or max(valid[m]["best_mean"] for m in ours) == valid[winner]["best_mean"]:
            continue
        best_ours = max(ours, key=lambda m: valid[m]["best_mean"])
        w, o = valid[winner], valid[best_ours]
        lines.append(
            f"- {task}: {winner} {w['best_mean']:.4f} ± {w['best_std']:.4f} vs {best_ours} "
            f"{o['best_mean']:.4f} ± {o['best_std']:.4f} (normalised {_num(w['norm_mean'])} vs {_num(o['norm_mean'])})"
        )
    return lines


# -- plots --------------------------------------------------------------------------------------

_STYLE = {
    "RandomizedSearchCV": ("tab:gray", "-"), "GridSearchCV": ("tab:brown", ":"),
    "HalvingRandomSearchCV": ("tab:pink", "-"), "skopt.BayesSearchCV": ("tab:orange", "-"),
    "Optuna TPE": ("tab:green", "-"), "Optuna GP": ("tab:olive", "-"), "GASearchCV": ("tab:purple", "-"),
    "hptune.BayesSearchCV": ("tab:blue", "-"), "hptune.EvolutionSearchCV": ("tab:cyan", "-"),
    "hptune.EvolutionSearchCV(surrogate=None)": ("tab:cyan", "--"), "hptune.PBTSearchCV": ("tab:red", "-"),
    "HEBO": ("black", "--"), "SMAC3 BB": ("tab:purple", "--"), "SMAC3 HPO": ("tab:brown", "--"),
    "random": ("tab:gray", "-"), "hptune Bayes": ("tab:blue", "-"), "hptune Evolution": ("tab:cyan", "-"),
    "skopt GP": ("tab:orange", "-"),
}


def _style(m):
    color, ls = _STYLE.get(m, (None, "-"))
    lw = 2.2 if m.startswith("hptune") else 1.3
    return dict(color=color, linestyle=ls, linewidth=lw)


def plot_convergence(runs, summary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(summary)
    ncols = 4
    nrows = math.ceil(len(tasks) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.3 * nrows), squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        curves = {}
        for r in _cv_runs(runs):
            if r["task"] == task and r["ok"]:
                curves.setdefault(r["method"], []).append(r["curve"])
        lows = []
        for m, cs in curves.items():
            if len(cs[0]) == 1:  # a single point: HalvingRandomSearchCV
                x = np.mean([c[0][0] for c in cs])
                y = np.mean([c[0][1] for c in cs])
                ax.plot([x], [y], marker="*", markersize=11, linestyle="none", label=m, color=_style(m)["color"])
                continue
            n = min(len(c) for c in cs)
            x = np.array([p[0] for p in cs[0][:n]], dtype=float)
            ys = np.array([[np.nan if p[1] is None else p[1] for p in c[:n]] for c in cs], dtype=float)
            y = np.nanmean(ys, axis=0)
            ax.plot(x, y, label=m, **_style(m))
            lows.append(np.nanpercentile(y, 20))
        top = max(e["best_mean"] + e["best_std"] for e in summary[task].values() if "failed" not in e)
        if lows:
            ax.set_ylim(min(lows), top + 0.1 * (top - min(lows)) + 1e-9)
        ax.set_title(task, fontsize=10)
        ax.set_xlabel("evaluations (full-data equivalents)", fontsize=8)
        ax.set_ylabel("best CV score so far", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(tasks):]:
        ax.axis("off")
    handles = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.suptitle("Best CV score so far (mean over seeds)", fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_regret(regret, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(regret), figsize=(4.2 * len(regret), 3.4), squeeze=False)
    for ax, (f, entries) in zip(axes.flat, regret.items()):
        for m, e in entries.items():
            curves = np.array(e["curves"], dtype=float)
            y = np.median(np.maximum(curves, 1e-12), axis=0)
            ax.plot(np.arange(1, len(y) + 1), y, label=m, **_style(m))
        ax.set_yscale("log")
        ax.set_title(f, fontsize=10)
        ax.set_xlabel("evaluations", fontsize=8)
        ax.set_ylabel("simple regret (median)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_overhead(runs, summary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    rows_by = {r["method"]: r["rows"] for r in runs if r["kind"] == "ask_time" and r["ok"]}
    for m, rows in rows_by.items():
        pts = [(row["n_obs"], row["median_seconds"]) for row in rows if "median_seconds" in row]
        if pts:
            ax1.plot(*zip(*pts), marker="o", label=m, **_style(m))
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("observations N", fontsize=8)
    ax1.set_ylabel("seconds per proposal (ask + tell)", fontsize=8)
    ax1.set_title("Proposal time vs observations (mixed6)", fontsize=10)
    ax1.grid(alpha=0.3, which="both")
    if rows_by:
        ax1.legend(fontsize=7)
    methods = sorted({m for e in summary.values() for m in e if "failed" not in e[m]})
    med = [np.median([summary[t][m]["overhead_ms"] for t in summary if m in summary[t] and "failed" not in summary[t][m]])
           for m in methods]
    order = np.argsort(med)
    ax2.barh([methods[i] for i in order], [max(med[i], 0.1) for i in order],
             color=[_style(methods[i])["color"] for i in order])
    ax2.set_xscale("log")
    ax2.set_xlabel("overhead per candidate in the CV tasks (ms, median over tasks)", fontsize=8)
    ax2.tick_params(labelsize=7)
    ax2.grid(alpha=0.3, axis="x", which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# -- writing --------------------------------------------------------------------------------------


def write_report(report, out):
    out = Path(out)
    meta, runs = report["meta"], report["runs"]
    from .methods import RUNNERS

    methods = [m for m in meta.get("methods", RUNNERS) if m in RUNNERS]
    summary = summarise_cv(runs, meta)
    head = headline(summary, methods)
    tables = cv_tables(summary, head, methods, meta) if summary else []
    speed = summarise_speedup(runs)
    regret = summarise_regret(runs)
    extra = [t for t in (speedup_table(speed, methods), regret_table(regret, meta), ask_time_table(runs)) if t]
    images = []
    if summary:
        plot_convergence(runs, summary, out / "convergence.png")
        images.append(("convergence.png", "Best CV score so far per task (mean over seeds)"))
    if regret:
        plot_regret(regret, out / "regret.png")
        images.append(("regret.png", "Simple regret on the synthetic functions (median over seeds)"))
    if summary or any(r["kind"] == "ask_time" for r in runs):
        plot_overhead(runs, summary, out / "overhead.png")
        images.append(("overhead.png", "Optimiser overhead: proposal time vs N, and per candidate in the CV tasks"))

    versions = _version_line(meta)
    mode = "quick mode" if meta["quick"] else "full mode"
    if not meta.get("complete", True):
        mode += ", INTERRUPTED: only the runs that finished"
    load = meta["machine"].get("load_average_start")
    load_text = (
        f" Load average (1 min) {load[0]:.1f} at the start and {meta['machine']['load_average_end'][0]:.1f} at the end "
        "(the machine was shared: compare wall times only within this report)."
        if load else ""
    )
    intro = (
        f"Generated by `{meta['command']}` ({mode}) on {meta['date']}, "
        f"{meta['machine']['cpu_count']} cores, {meta['seconds']['total'] / 60:.1f} minutes. "
        f"Seeds {meta['seeds']}; CV budget {meta['budget']} candidates; {meta['cv']}; "
        f"each (task, method) in a fresh process with one thread, {meta['workers']} processes side by side." + load_text
    )
    for u in meta.get("updates", []):
        load = u["machine"].get("load_average_start", [math.nan])[0], u["machine"].get("load_average_end", [math.nan])[0]
        intro += (
            f" Then `{u['command']}` on {u['date']} re-ran {u['n_runs']} runs, replacing theirs "
            f"(their wall times come from that later run, load average {load[0]:.1f} at its start and "
            f"{load[1]:.1f} at its end)."
        )
    gaps = not_best(summary, head)
    fails = failures(meta, runs)

    md = ["# hptune benchmark report", "", intro, "", versions, ""]
    md += [t.markdown() for t in tables[:1]]
    md += ["### Where hptune is not best", "",
           *(gaps or ["- hptune has the best normalised score on every task."]), ""]
    md += [t.markdown() for t in tables[1:] + extra]
    md += ["### Peers that failed", "", *(fails or ["- none"]), ""]
    md += [f"![{cap}]({name})\n" for name, cap in images]
    (out / "report.md").write_text("\n".join(md))

    tasks = {r["task"] for r in runs if r["kind"] == "cv"}
    title = f"Benchmark report: {len(tasks)} tasks, {meta['budget']} candidates, {len(meta['seeds'])} seeds"
    rst = [title, "=" * len(title), "", _md_to_rst(intro), "", _md_to_rst(versions), ""]
    rst += [t.rst() for t in tables[:1]]
    sub = "Where hptune is not best"
    rst += [sub, "~" * len(sub), "", *(_md_to_rst(g) for g in (gaps or ["- hptune has the best normalised score on every task."])), ""]
    rst += [t.rst() for t in tables[1:] + extra]
    sub = "Peers that failed"
    rst += [sub, "~" * len(sub), "", *(_md_to_rst(f) for f in (fails or ["- none"])), ""]
    prefix = Path(os.path.relpath(out.resolve(), DOC)).as_posix()
    for name, cap in images:
        rst += [f".. figure:: {prefix}/{name}", "   :width: 100%", "", f"   {cap}", ""]
    (out / "report.rst").write_text("\n".join(rst))
    write_csv(summary, speed, regret, runs, out / "report.csv")


def _version_line(meta):
    seen = {}
    for s in meta["libraries"].values():
        if s["ok"]:
            for k, v in s["versions"].items():
                if k != "executable":
                    seen.setdefault(k, v)
    return "Versions: " + ", ".join(f"{k} {v}" for k, v in seen.items()) + "."


def write_csv(summary, speed, regret, runs, path):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["part", "task", "method", "stat", "value"])
        for task, entries in summary.items():
            for m, e in entries.items():
                for k, v in e.items():
                    w.writerow(["cv", task, m, k, v])
        for (task, m), e in speed.items():
            for k, v in e.items():
                w.writerow(["speedup", task, m, k, v])
        for f, entries in regret.items():
            for m, e in entries.items():
                w.writerow(["synthetic", f, m, "regret_median", float(np.median(e["regrets"]))])
                w.writerow(["synthetic", f, m, "optimizer_seconds_mean", float(np.mean(e["opt_s"]))])
        for r in runs:
            if r["kind"] == "ask_time" and r["ok"]:
                for row in r["rows"]:
                    if "median_seconds" in row:
                        w.writerow(["ask_time", f"N={row['n_obs']}", r["method"], "median_seconds", row["median_seconds"]])
