"""Tallies shared by the scorers: per rule (fired or shadow) and for the pack
(any enforced rule), alerts, true and false positives, recall per group."""
import statistics

import common

PACK = "(pack: any enforced rule)"


class Tally:
    def __init__(self, groups):
        self.groups = list(groups)  # typologies or scenarios, in report order
        self.rows = {}

    def _row(self, name):
        row = self.rows.get(name)
        if row is None:
            row = self.rows[name] = {"alerts": 0, "tp": 0, "fp": 0,
                                     "tp_by": {g: 0 for g in self.groups}}
        return row

    def add(self, names, positive, group):
        for name in names:
            row = self._row(name)
            row["alerts"] += 1
            if positive:
                row["tp"] += 1
                if group in row["tp_by"]:
                    row["tp_by"][group] += 1
            else:
                row["fp"] += 1

    def table(self, positives_by, negatives, scored, unit):
        """Metrics per rule. positives_by: group -> number of positives."""
        positives = sum(positives_by.values())
        out = []
        names = sorted(n for n in self.rows if n != PACK) + [PACK]
        for name in names:
            row = self._row(name)
            out.append({
                "rule": name,
                "alerts": row["alerts"],
                "alerts_per_1000": common.ratio(1000 * row["alerts"], scored),
                "true_positives": row["tp"],
                "false_positives": row["fp"],
                "precision": common.ratio(row["tp"], row["alerts"]),
                "false_positive_rate": common.ratio(row["fp"], negatives),
                "recall": common.ratio(row["tp"], positives),
                "recall_by": {g: common.ratio(row["tp_by"][g], positives_by[g])
                              for g in self.groups},
            })
        return {"unit": unit, "scored": scored, "positives": positives,
                "positives_by": positives_by, "negatives": negatives, "rules": out}


def markdown(result, group_title):
    groups = list(result["positives_by"])
    head = (["rule", "alerts", "per 1,000", "precision", "FP rate", "recall"]
            + [f"{group_title} {g} ({result['positives_by'][g]:,})" for g in groups])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f} %"

    def fpr(v):
        return "n/a" if v is None else f"{100 * v:.3f} %"

    for r in result["rules"]:
        cells = [r["rule"], f"{r['alerts']:,}",
                 "n/a" if r["alerts_per_1000"] is None else f"{r['alerts_per_1000']:.2f}",
                 pct(r["precision"]), fpr(r["false_positive_rate"]), pct(r["recall"])]
        cells += [pct(r["recall_by"][g]) for g in groups]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def median(values):
    return statistics.median(values) if values else None
