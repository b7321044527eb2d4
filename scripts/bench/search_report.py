#!/usr/bin/env python3
"""Writes the search benchmark's Markdown table and PNG chart from search.sh's results.

  search_report.py --results FILE.jsonl --out eval/reports/search-bench [--note TEXT]

Each line of the results file is one JSON object: {"kind": "ours", ...search-bench output...},
{"kind": "peers", ...search_peers.py output...}, {"kind": "ingest", ...} or {"kind": "note", "text": ...}.
Ratios are our time divided by the peer's (below 1.0: we are faster). Limits: one query cannot be
faster than its bytes (N·d·4) over the measured bandwidth; a batch cannot be faster than its FLOPs
(2·N·d·Q) over the measured sgemm rate.
"""
import argparse
import json
import math

EXACT_PEERS = [
    ("faiss_flat", "FAISS flat"),
    ("faiss_flat_blas", "FAISS flat (BLAS)"),
    ("usearch_exact", "usearch exact"),
    ("sqlite_vec", "sqlite-vec"),
    ("numpy", "numpy"),
]


def fmt_ms(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(ours, peer):
    if ours is None or peer is None or peer <= 0:
        return "–"
    return f"{ours / peer:.2f}"


def cell_time(engine, metric):
    """Milliseconds for a metric ('p50', 'p99', '64', '1024') of one engine's results, or None."""
    if engine is None:
        return None
    if metric in ("p50", "p99"):
        single = engine.get("single") or {}
        return single.get(f"{metric}_ms")
    batch = (engine.get("batch") or {}).get(metric) or {}
    return batch["seconds"] * 1e3 if "seconds" in batch else None


def load(path):
    ours, peers, ingest, notes = {}, {}, [], []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        item = json.loads(line)
        kind = item.pop("kind")
        if kind == "ours":
            ours[(item["dataset"], item["threads"])] = item
        elif kind == "peers":
            peers[(item["dataset"], item["threads"])] = item
        elif kind == "ingest":
            ingest.append(item)
        else:
            notes.append(item["text"])
    return ours, peers, ingest, notes


def ours_engine(o):
    """Our results in the peers' shape."""
    return {
        "single": o["exact_single"],
        "batch": o.get("exact_batch", {}),
    }


def limits(o, metric):
    n, d = o["n"], o["d"]
    if metric in ("p50", "p99"):
        return n * d * 4 / (o["bandwidth_gbs"] * 1e9) * 1e3
    q = int(metric)
    return 2 * n * d * q / (o["sgemm_gflops"] * 1e9) * 1e3


def bf16_limit(o, metric):
    """FLOPs ÷ the measured rate of our bfloat16 batch kernel, for batches that used it."""
    if metric in ("p50", "p99") or o.get("batch_products") != "bfloat16" or not o.get("bf16_gflops"):
        return None
    return 2 * o["n"] * o["d"] * int(metric) / (o["bf16_gflops"] * 1e9) * 1e3


def summary_lines(ours, peers, keys):
    """One row per dataset and thread count: the cells the targets are about, for the README."""
    lines = [
        "| dataset | threads | single p50, ms: ours / FAISS flat / sqlite-vec | ÷ FAISS flat | × faster than sqlite-vec "
        "| ÷ bandwidth limit | batch 64, ms: ours / FAISS flat | batch 1,024, ms: ours / FAISS flat | int8 speed-up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key in keys:
        o = ours[key]
        p = peers.get(key, {}).get("engines", {})
        mine = ours_engine(o)

        def faiss(metric):
            # The faster of FAISS's two flat paths: the one each target cell is hardest against.
            times = [cell_time(p.get(name), metric) for name in ("faiss_flat", "faiss_flat_blas")]
            times = [t for t in times if t]
            return min(times) if times else None

        single = cell_time(mine, "p50")
        sqlite = cell_time(p.get("sqlite_vec"), "p50")
        batches = []
        for metric in ("64", "1024"):
            t = cell_time(mine, metric)
            batches.append("–" if t is None else f"{fmt_ms(t)} / {fmt_ms(faiss(metric))}")
        speedup = o["exact_single"]["p50_ms"] / o["int8_single"]["p50_ms"]
        lines.append("| " + " | ".join([
            key[0], str(key[1]), f"{fmt_ms(single)} / {fmt_ms(faiss('p50'))} / {fmt_ms(sqlite)}",
            fmt_ratio(single, faiss("p50")), "–" if not sqlite else f"{sqlite / single:.1f}×",
            f"{single / limits(o, 'p50'):.2f}", batches[0], batches[1], f"{speedup:.2f}×",
        ]) + " |")
    return lines


def update_readme(path, summary, stamp):
    """Replaces the lines between the README's search-bench markers with the summary table."""
    begin, end = "<!-- search-bench summary: begin -->", "<!-- search-bench summary: end -->"
    text = open(path).read()
    if begin not in text or end not in text:
        print(f"search_report: {path} has no search-bench markers; README not updated")
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    block = "\n".join([begin, "", stamp, ""] + summary + ["", end])
    open(path, "w").write(head + block + tail)


def build(results, out, note, readme=None):
    ours, peers, ingest, notes = load(results)
    keys = sorted(ours, key=lambda k: (k[0].split("-")[0], ours[k]["n"], k[1]))
    lines = ["# Search benchmark", ""]
    if note:
        lines += [note, ""]
    lines += [f"- {text}" for text in notes]
    if notes:
        lines.append("")
    summary = summary_lines(ours, peers, keys)
    lines += ["## Summary", "", "The cells the targets are about; the tables below have every measure and peer.", ""]
    lines += summary + [""]
    lines += [
        "Times in milliseconds (single query: p50/p99 over the queries run; batch: one call for 64 or",
        "1,024 queries). Ratios are **our time ÷ the peer's** (< 1.0 means we are faster). The limit is",
        "bytes scanned ÷ measured bandwidth (single query) or FLOPs ÷ measured sgemm rate (batch); the",
        "‘÷ limit’ column is our time ÷ that limit (1.0 = at the machine's limit). Our batches compute",
        "their first scores with bfloat16 products where the processor has them, then rescore in float32",
        "every row the rounding's error bound cannot rule out (the same hits as float32): ‘÷ bf16 limit’",
        "is our batch time ÷ (FLOPs ÷ the measured rate of that bfloat16 kernel).",
        "",
        "## Exact search",
        "",
    ]
    header = ["dataset", "threads", "measure", "ours"] + [label for _, label in EXACT_PEERS] + ["limit"]
    header += [f"÷ {label}" for _, label in EXACT_PEERS] + ["÷ limit", "÷ bf16 limit", "recall@10"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    chart = []
    for key in keys:
        o = ours[key]
        p = peers.get(key, {}).get("engines", {})
        mine = ours_engine(o)
        for metric, label in (("p50", "single p50"), ("p99", "single p99"), ("64", "batch 64"), ("1024", "batch 1024")):
            t = cell_time(mine, metric)
            if t is None:
                continue
            limit = limits(o, metric)
            row = [key[0], str(key[1]), label, fmt_ms(t)]
            ratios = {}
            for name, _ in EXACT_PEERS:
                engine = p.get(name)
                peer_time = cell_time(engine, metric)
                if peer_time is None and engine and metric in ("64", "1024"):
                    skipped = (engine.get("batch") or {}).get(metric, {}).get("skipped")
                    row.append("skipped" if skipped else "–")
                else:
                    row.append(fmt_ms(peer_time))
                ratios[name] = (t / peer_time) if peer_time else None
            row.append(fmt_ms(limit))
            row += [fmt_ratio(t, cell_time(p.get(name), metric)) for name, _ in EXACT_PEERS]
            row.append(f"{t / limit:.2f}")
            fast_limit = bf16_limit(o, metric)
            row.append("–" if fast_limit is None else f"{t / fast_limit:.2f}")
            if metric in ("p50", "p99"):
                recall = o["exact_single"].get("recall")
            else:
                recall = o["exact_batch"][metric].get("recall")
            row.append("–" if recall is None else f"{recall:.4f}")
            lines.append("| " + " | ".join(row) + " |")
            if metric != "p99":
                chart.append((f"{key[0]}\n{key[1]}t {label}", ratios, t / limit))

    lines += ["", "## int8 scan (single query, p50 ms; recall@10 against exact)", ""]
    header = [
        "dataset", "threads", "ours exact", "ours int8", "int8 speed-up", "int8 recall", "FAISS SQ8",
        "SQ8 recall", "FAISS SQ8 + refine", "refine recall", "ours int8 ÷ SQ8+refine", "int8 limit", "÷ limit",
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for key in keys:
        o = ours[key]
        p = peers.get(key, {}).get("engines", {})
        exact = o["exact_single"]["p50_ms"]
        int8 = o["int8_single"]["p50_ms"]
        sq8 = p.get("faiss_sq8", {}).get("single", {})
        ref = p.get("faiss_sq8_refine", {}).get("single", {})
        limit = o["n"] * o["d"] / (o.get("int8_bandwidth_gbs", o["bandwidth_gbs"]) * 1e9) * 1e3
        lines.append("| " + " | ".join([
            key[0], str(key[1]), fmt_ms(exact), fmt_ms(int8), f"{exact / int8:.2f}×",
            f"{o['int8_single'].get('recall', float('nan')):.4f}",
            fmt_ms(sq8.get("p50_ms")), f"{sq8.get('recall', float('nan')):.4f}",
            fmt_ms(ref.get("p50_ms")), f"{ref.get('recall', float('nan')):.4f}",
            fmt_ratio(int8, ref.get("p50_ms")), fmt_ms(limit), f"{int8 / limit:.2f}",
        ]) + " |")

    lines += ["", "## Machine limits measured by search-bench", ""]
    lines += ["Each limit is measured around the figures it bounds (the VM's bandwidth moves during a run): the read "
              "bandwidth before and after the single queries, exact and int8 alternating in rounds over the same "
              "queries, the larger of the two bounding both; the sgemm and bfloat16 rates before the batches.", ""]
    lines += ["| dataset | threads | read bandwidth GB/s, before singles | after singles | sgemm GFLOP/s (1024³), before batches "
              "| bfloat16 kernel GFLOP/s, before batches | batch products | queries rescanned (64 / 1,024) |",
              "|---|---|---|---|---|---|---|---|"]
    for key in keys:
        o = ours[key]
        before = o.get("bandwidth_before_gbs", o["bandwidth_gbs"])
        after = o.get("bandwidth_after_gbs")
        bf16 = o.get("bf16_gflops")
        batch = o.get("exact_batch", {})
        rescanned = " / ".join(str(batch[size].get("rescanned", "–")) if size in batch else "–" for size in ("64", "1024"))
        lines.append(f"| {key[0]} | {key[1]} | {before:.1f} | "
                     f"{'–' if after is None else f'{after:.1f}'} | {o['sgemm_gflops']:.1f} | "
                     f"{'–' if bf16 is None else f'{bf16:.1f}'} | {o.get('batch_products', 'float32')} | {rescanned} |")

    targets = target_lines(ours, peers, keys)
    lines += ["", "## Targets", ""]
    lines += targets

    if ingest:
        lines += ["", "## Ingest and index (hashing embedder)", ""]
        lines += ["| input | files | chunks | seconds | chunks/s | database bytes | bytes/chunk |", "|---|---|---|---|---|---|---|"]
        for item in ingest:
            lines.append(
                f"| {item['input']} | {item['files']} | {item['chunks']} | {item['seconds']:.1f} | "
                f"{item['chunks'] / item['seconds']:.0f} | {item['bytes']} | {item['bytes'] / max(1, item['chunks']):.0f} |"
            )
    text = "\n".join(lines) + "\n"
    open(out + ".md", "w").write(text)
    if readme:
        stamp = (note or "").splitlines()[0] if note else ""
        update_readme(readme, summary + ["", "Targets: " + "; ".join(t.lstrip("- ") for t in targets)], stamp)
    print(text)
    draw(chart, out + ".png")


def target_lines(ours, peers, keys):
    out = []
    flat_worst, sqlite_best, band_worst, int8_checks = [], [], [], []
    for key in keys:
        o = ours[key]
        p = peers.get(key, {}).get("engines", {})
        mine = ours_engine(o)
        for metric in ("p50", "64", "1024"):
            t = cell_time(mine, metric)
            for name in ("faiss_flat", "faiss_flat_blas"):
                peer = cell_time(p.get(name), metric)
                if t and peer:
                    flat_worst.append((t / peer, f"{key[0]} {key[1]}t {metric} vs {name}"))
            peer = cell_time(p.get("sqlite_vec"), metric)
            if t and peer:
                sqlite_best.append((peer / t, f"{key[0]} {key[1]}t {metric}"))
        band_worst.append((o["exact_single"]["p50_ms"] / limits(o, "p50"), f"{key[0]} {key[1]}t"))
        speed = o["exact_single"]["p50_ms"] / o["int8_single"]["p50_ms"]
        int8_checks.append((speed, o["int8_single"].get("recall", 0), f"{key[0]} {key[1]}t"))

    def verdict(ok):
        return "met" if ok else "**not met**"

    if flat_worst:
        worst = max(flat_worst)
        losses = [f"{label} ({r:.2f})" for r, label in sorted(flat_worst, reverse=True) if r > 1.0]
        out.append(f"- exact ≤ 1.0× FAISS flat in every cell: {verdict(worst[0] <= 1.0)}; worst {worst[0]:.2f} ({worst[1]})"
                   + (f"; cells over 1.0: {', '.join(losses)}" if losses else ""))
    if sqlite_best:
        least = min(sqlite_best)
        out.append(f"- ≥ 10× faster than sqlite-vec: {verdict(least[0] >= 10)}; smallest speed-up {least[0]:.1f}× ({least[1]})")
    if band_worst:
        worst = max(band_worst)
        out.append(f"- single query within 1.3× of the bandwidth limit: {verdict(worst[0] <= 1.3)}; worst {worst[0]:.2f}× ({worst[1]})")
    if int8_checks:
        bad = [c for c in int8_checks if c[0] < 2.5 or c[1] < 0.99]
        least = min(int8_checks)
        out.append(
            f"- int8 ≥ 2.5× faster than exact with recall@10 ≥ 0.99: {verdict(not bad)}; smallest speed-up "
            f"{least[0]:.2f}× ({least[2]}), lowest recall {min(c[1] for c in int8_checks):.4f}"
        )
    return out


def draw(chart, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not chart:
        return
    names = [name for name, _ in EXACT_PEERS] + ["limit"]
    labels = [label for _, label in EXACT_PEERS] + ["machine limit"]
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(10, len(chart) * 0.9), 6))
    for i, name in enumerate(names):
        values = []
        for _, ratios, limit_ratio in chart:
            value = limit_ratio if name == "limit" else ratios.get(name)
            values.append(value if value else float("nan"))
        ax.bar([x + i * width for x in range(len(chart))], values, width, label=labels[i])
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_yscale("log")
    ax.set_ylabel("our time ÷ theirs (log; below 1 = we are faster)")
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(chart))])
    ax.set_xticklabels([c[0] for c in chart], rotation=60, ha="right", fontsize=7)
    ax.legend(fontsize=8)
    ax.set_title("HealthGround exact search vs peers and the machine's limits")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True, help="path without extension")
    parser.add_argument("--note", default="")
    parser.add_argument("--readme", help="a README whose search-bench summary markers get the summary table")
    args = parser.parse_args()
    build(args.results, args.out, args.note, args.readme)


if __name__ == "__main__":
    main()
