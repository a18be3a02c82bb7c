"""Plots bench/analysis's power curves (the CSV analysis_figures writes) as two PNGs.

Usage: /usr/bin/python3 bench/analysis/plot.py CSV OUTDIR
Writes OUTDIR/analysis-power-errors.png and OUTDIR/analysis-power-latency.png: per template,
the detection probability (analyses that ended `fail`) and the median time to detect against
the effect size (where at least half the analyses failed).
"""

import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "example": "example template: error-rate confidence 95%, latency allowed +50%",
    "suggest": "suggested: error-rate confidence 99%, latency allowed +20%",
}
# The allowed changes (x positions): below them a metric cannot fail, however significant.
ALLOWED = {"errors": [(2.0, 78, "allowed: ratio 2 (+100%)")],
           "latency": [(20, 30, "allowed +20% (suggested)"), (50, 30, "allowed +50% (example)")]}
# The example is drawn last, as hollow circles, so equal points of both stay visible.
STYLES = {"example": dict(marker="o", linestyle="-", ms=8, markerfacecolor="none", zorder=3),
          "suggest": dict(marker="s", linestyle="--", ms=4)}
CURVES = {
    "errors": ("error rate ratio, canary / baseline (baseline 1%)", "analysis-power-errors.png",
               "Errors: baseline 1% at 200 req/s, canary at 50 req/s"),
    "latency": ("latency median change, canary vs baseline", "analysis-power-latency.png",
                "Latency (lognormal, sigma 0.5): baseline 200 req/s, canary 50 req/s"),
}


def main(path, outdir):
    points = defaultdict(list)  # (curve, template) -> rows
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            points[(row["curve"], row["template"])].append(row)
    for curve, (xlabel, filename, title) in CURVES.items():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
        for (c, template), rows in sorted(points.items(), key=lambda kv: kv[0][1] == "example"):
            if c != curve:
                continue
            x = [float(r["effect"]) for r in rows]
            if curve == "latency":
                x = [100 * v for v in x]
            label = LABELS.get(template, template)
            top.plot(x, [100 * float(r["detection"]) for r in rows], label=label, **STYLES.get(template, {}))
            # Times only where most analyses failed: below that the few that fail are mostly
            # false alarms of the other metric, whose times say nothing about this effect.
            timed = [(xi, float(r["median_s"])) for xi, r in zip(x, rows)
                     if r["median_s"] and float(r["detection"]) >= 0.5]
            tx, ty = [t[0] for t in timed], [t[1] for t in timed]
            bottom.plot(tx, ty, label=label, **STYLES.get(template, {}))
        for x, y, text in ALLOWED[curve]:
            for axis in (top, bottom):
                axis.axvline(x, color="grey", linestyle=":", linewidth=1)
            top.annotate(text, (x, y), rotation=90, fontsize=7, color="grey",
                         xytext=(-9, 0), textcoords="offset points", va="center")
        runs = next(iter(points.values()))[0]["runs"]
        top.set_ylabel("analyses that fail (%)")
        top.set_ylim(-3, 103)
        top.set_title(f"{title}\n{runs} simulated analyses a point, interval 1 s, count 20",
                      fontsize=10)
        top.grid(alpha=0.3)
        top.legend(fontsize=8, loc="lower right" if curve == "errors" else "upper left")
        bottom.set_ylabel("median time to detect (s)\nwhere >= 50% fail")
        bottom.set_xlabel(xlabel + (" (%)" if curve == "latency" else ""))
        bottom.set_ylim(bottom=0)
        bottom.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(f"{outdir}/{filename}", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
