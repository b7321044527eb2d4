#!/usr/bin/env python3
"""Datasets and peer measurements for scripts/bench/search.sh.

  search_peers.py prepare --out DIR --sizes 10000,100000 [--dim 384] [--queries 1024]
      Writes DIR/random-N/{base.f32,queries.f32,truth.i32} (seeded random unit vectors; the truth is
      the exact top 10 per query, rescored in float64). Reuses what is already there.
  search_peers.py truth --data DIR
      Writes DIR/truth.i32 for an existing base.f32/queries.f32 pair (the real-vector datasets).
  search_peers.py peers --data DIR --threads T --single S [--budget SECONDS]
      Times FAISS IndexFlatIP (default and BLAS path forced), usearch exact, sqlite-vec vec0 (apsw),
      numpy, FAISS IndexScalarQuantizer 8-bit (alone and with float32 refinement) on the dataset and
      prints one JSON object. Thread counts must already be pinned in the environment
      (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS); they are also set in FAISS and usearch.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

K = 10


def unit_rows(rng, n, d):
    x = rng.standard_normal((n, d), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def exact_truth(base, queries, k=K, candidates=64, block=65536):
    """The exact top k per query: float32 scores pick candidates, float64 rescoring orders them."""
    n = base.shape[0]
    keep = min(candidates, n)
    best_rows = np.zeros((queries.shape[0], 0), dtype=np.int64)
    best_scores = np.zeros((queries.shape[0], 0), dtype=np.float32)
    for start in range(0, n, block):
        scores = queries @ base[start:start + block].T
        take = min(keep, scores.shape[1])
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        best_rows = np.concatenate([best_rows, part + start], axis=1)
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, part, axis=1)], axis=1)
        if best_rows.shape[1] > keep:
            top = np.argpartition(-best_scores, keep - 1, axis=1)[:, :keep]
            best_rows = np.take_along_axis(best_rows, top, axis=1)
            best_scores = np.take_along_axis(best_scores, top, axis=1)
    q64 = queries.astype(np.float64)
    truth = np.zeros((queries.shape[0], k), dtype=np.int32)
    for i in range(queries.shape[0]):
        rows = best_rows[i]
        exact = base[rows].astype(np.float64) @ q64[i]
        order = np.lexsort((rows, -exact))[:k]
        truth[i] = rows[order]
    return truth


def prepare(args):
    d = args.dim
    for n in [int(s) for s in args.sizes.split(",") if s]:
        folder = os.path.join(args.out, f"random-{n}")
        done = os.path.join(folder, ".done")
        if os.path.exists(done):
            print(f"prepare: {folder} exists, reused", file=sys.stderr)
            continue
        os.makedirs(folder, exist_ok=True)
        started = time.time()
        rng = np.random.default_rng(20261123 + n)
        base = np.empty((n, d), dtype=np.float32)
        for start in range(0, n, 100_000):
            base[start:start + 100_000] = unit_rows(rng, min(100_000, n - start), d)
        queries = unit_rows(np.random.default_rng(7), args.queries, d)
        base.tofile(os.path.join(folder, "base.f32"))
        queries.tofile(os.path.join(folder, "queries.f32"))
        exact_truth(base, queries).tofile(os.path.join(folder, "truth.i32"))
        with open(os.path.join(folder, "meta.json"), "w") as f:
            json.dump({"name": f"random-{n}", "n": n, "d": d, "queries": args.queries}, f)
        open(done, "w").close()
        print(f"prepare: {folder} written in {time.time() - started:.1f} s", file=sys.stderr)


def truth_only(args):
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    d = meta["d"]
    base = np.fromfile(os.path.join(args.data, "base.f32"), dtype=np.float32).reshape(-1, d)
    queries = np.fromfile(os.path.join(args.data, "queries.f32"), dtype=np.float32).reshape(-1, d)
    exact_truth(base, queries).tofile(os.path.join(args.data, "truth.i32"))


def recall(found, truth):
    hits = [len(set(map(int, f)) & set(map(int, t))) / len(t) for f, t in zip(found, truth)]
    return float(np.mean(hits)) if hits else float("nan")


def percentile(samples, q):
    s = sorted(samples)
    rank = max(0, min(len(s) - 1, int(np.ceil(q * len(s))) - 1))
    return s[rank]


class Timer:
    """Runs one engine's single-query and batch measurements within a time budget."""

    def __init__(self, queries, truth, single, warmup, budget):
        self.queries, self.truth = queries, truth
        self.single, self.warmup, self.budget = single, warmup, budget

    def single_queries(self, search_one, limit=None):
        count = min(self.single, limit or self.single, len(self.queries))
        for i in range(min(self.warmup, count)):
            search_one(self.queries[i])
        times, found = [], []
        spent = 0.0
        for i in range(count):
            t = time.perf_counter()
            rows = search_one(self.queries[i])
            elapsed = time.perf_counter() - t
            times.append(elapsed)
            found.append(rows)
            spent += elapsed
            if spent > self.budget and len(times) >= 5:
                break
        return {
            "p50_ms": percentile(times, 0.5) * 1e3,
            "p99_ms": percentile(times, 0.99) * 1e3,
            "queries": len(times),
            "recall": recall(found, self.truth[: len(found)]),
        }

    def batches(self, search_many, single_ms):
        out = {}
        for size in (64, 1024):
            if size > len(self.queries):
                continue
            estimate = single_ms / 1e3 * size
            if search_many is None and estimate > self.budget:
                out[str(size)] = {"skipped": f"about {estimate:.0f} s, over the {self.budget:.0f} s budget"}
                continue
            if "64" in out and "seconds" in out["64"] and out["64"]["seconds"] * size / 64 > 4 * self.budget:
                out[str(size)] = {"skipped": "over the time budget"}
                continue
            batch = self.queries[:size]
            best, spent, reps, found = float("inf"), 0.0, 0, None
            while reps < 3 and (reps == 0 or spent < 5):
                t = time.perf_counter()
                found = search_many(batch) if search_many else [self._one(q) for q in batch]
                elapsed = time.perf_counter() - t
                best, spent, reps = min(best, elapsed), spent + elapsed, reps + 1
            out[str(size)] = {"seconds": best, "qps": size / best, "recall": recall(found, self.truth[:size])}
        return out


def peers(args):
    import apsw
    import faiss
    import sqlite_vec
    import usearch.index as uindex

    threads = args.threads
    faiss.omp_set_num_threads(threads)
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    d = meta["d"]
    base = np.ascontiguousarray(np.fromfile(os.path.join(args.data, "base.f32"), dtype=np.float32).reshape(-1, d))
    queries = np.ascontiguousarray(np.fromfile(os.path.join(args.data, "queries.f32"), dtype=np.float32).reshape(-1, d))
    truth = np.fromfile(os.path.join(args.data, "truth.i32"), dtype=np.int32).reshape(len(queries), -1)[:, :K]
    n = base.shape[0]
    timer = Timer(queries, truth, args.single, args.warmup, args.budget)
    result = {"dataset": meta["name"], "n": n, "d": d, "threads": threads, "engines": {}}
    wanted = set(args.engines.split(",")) if args.engines else None

    def run(name, build, one, many, single_limit=None, batches=True):
        if wanted and name not in wanted:
            return
        t = time.perf_counter()
        state = build()
        built = time.perf_counter() - t
        timer._one = lambda q: one(state, q)
        single = timer.single_queries(timer._one, single_limit)
        batch = timer.batches((lambda qs: many(state, qs)) if many else None, single["p50_ms"]) if batches else {}
        result["engines"][name] = {"build_seconds": built, "single": single, "batch": batch}
        print(f"peers: {meta['name']} t={threads} {name}: p50 {single['p50_ms']:.3f} ms", file=sys.stderr)
        del state

    # numpy: X @ q and argpartition; batches tiled over rows so the score block stays bounded.
    def np_one(x, q):
        s = x @ q
        part = np.argpartition(-s, K - 1)[:K]
        return part[np.argsort(-s[part], kind="stable")]

    def np_many(x, qs, block=65536):
        rows = np.zeros((len(qs), 0), dtype=np.int64)
        scores = np.zeros((len(qs), 0), dtype=np.float32)
        for start in range(0, x.shape[0], block):
            s = qs @ x[start:start + block].T
            take = min(K, s.shape[1])
            part = np.argpartition(-s, take - 1, axis=1)[:, :take]
            rows = np.concatenate([rows, part + start], axis=1)
            scores = np.concatenate([scores, np.take_along_axis(s, part, axis=1)], axis=1)
        top = np.argsort(-scores, axis=1, kind="stable")[:, :K]
        return np.take_along_axis(rows, top, axis=1)

    run("numpy", lambda: base, np_one, np_many)

    def flat():
        index = faiss.IndexFlatIP(d)
        index.add(base)
        return index

    default_threshold = faiss.cvar.distance_compute_blas_threshold
    run("faiss_flat", flat, lambda ix, q: ix.search(q[None, :], K)[1][0], lambda ix, qs: ix.search(qs, K)[1])
    faiss.cvar.distance_compute_blas_threshold = 1
    run("faiss_flat_blas", flat, lambda ix, q: ix.search(q[None, :], K)[1][0], lambda ix, qs: ix.search(qs, K)[1])
    faiss.cvar.distance_compute_blas_threshold = default_threshold

    ip = uindex.MetricKind.IP
    run(
        "usearch_exact",
        lambda: base,
        lambda x, q: uindex.search(x, q, K, ip, exact=True, threads=threads).keys,
        lambda x, qs: uindex.search(x, qs, K, ip, exact=True, threads=threads).keys,
    )

    def sqlite_build():
        db = apsw.Connection(":memory:")
        db.enable_load_extension(True)
        db.load_extension(sqlite_vec.loadable_path())
        db.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding float[{d}] distance_metric=cosine)")
        with db:
            db.executemany(
                "INSERT INTO v(rowid, embedding) VALUES (?, ?)",
                ((i, base[i].tobytes()) for i in range(n)),
            )
        return db

    def sqlite_one(db, q):
        sql = "SELECT rowid FROM v WHERE embedding MATCH ? AND k = ? ORDER BY distance"
        return [row[0] for row in db.execute(sql, (q.tobytes(), K))]

    run("sqlite_vec", sqlite_build, sqlite_one, None, single_limit=args.sqlite_single)

    keep_alive = []

    def sq8(refine):
        index = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        index.train(base)
        if refine:
            refined = faiss.IndexRefineFlat(index)
            # 2k candidates rescored, as ours keep for k <= 32 (QuantizedSearch.defaultRescoreFactor).
            refined.k_factor = 2
            refined.add(base)
            keep_alive.append(index)  # the refined index does not own the wrapped one
            return refined
        index.add(base)
        return index

    # The int8 comparison is on single queries (our int8 scan has no batch entry point).
    one = lambda ix, q: ix.search(q[None, :], K)[1][0]  # noqa: E731
    run("faiss_sq8", lambda: sq8(False), one, None, batches=False)
    run("faiss_sq8_refine", lambda: sq8(True), one, None, batches=False)
    print(json.dumps(result))


def scifact(args):
    """Embeds SciFact's corpus (title and abstract) and its test queries with `healthground embed`,
    the Swift MiniLM encoder, and writes base.f32, queries.f32, truth.i32 and meta.json."""
    import subprocess
    import tempfile

    def lines(path):
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    corpus = lines(os.path.join(args.beir, "corpus.jsonl"))
    texts = [" ".join((d.get("title", "") + " " + d.get("text", "")).split()) for d in corpus]
    wanted = set()
    with open(os.path.join(args.beir, "qrels", "test.tsv")) as f:
        for row in f:
            fields = row.rstrip("\n").split("\t")
            if len(fields) >= 3 and fields[0] != "query-id":
                wanted.add(fields[0])
    questions = [q["text"] for q in lines(os.path.join(args.beir, "queries.jsonl")) if q["_id"] in wanted]

    def embed(items):
        with tempfile.TemporaryFile("w+") as source:
            source.write("\n".join(t if t else "." for t in items) + "\n")
            source.seek(0)
            out = subprocess.run([args.embed, "embed", "--json", "--threads", str(os.cpu_count() or 1)],
                                 stdin=source, capture_output=True, text=True, check=True).stdout
        vectors = np.asarray(json.loads(out)["vectors"], dtype=np.float32)
        assert vectors.shape == (len(items), 384), vectors.shape
        return vectors

    started = time.time()
    os.makedirs(args.out, exist_ok=True)
    base = embed(texts)
    queries = embed(questions)
    base.tofile(os.path.join(args.out, "base.f32"))
    queries.tofile(os.path.join(args.out, "queries.f32"))
    exact_truth(base, queries).tofile(os.path.join(args.out, "truth.i32"))
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump({"name": "scifact-minilm", "n": len(base), "d": 384, "queries": len(queries)}, f)
    print(f"scifact: {len(base)} documents and {len(queries)} queries embedded in {time.time() - started:.0f} s",
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", required=True)
    p.add_argument("--sizes", required=True)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=1024)
    t = sub.add_parser("truth")
    t.add_argument("--data", required=True)
    r = sub.add_parser("peers")
    r.add_argument("--data", required=True)
    r.add_argument("--threads", type=int, required=True)
    r.add_argument("--single", type=int, default=200)
    r.add_argument("--sqlite-single", type=int, default=200)
    r.add_argument("--warmup", type=int, default=10)
    r.add_argument("--budget", type=float, default=20.0, help="seconds per measurement before it is cut")
    r.add_argument("--engines", default="", help="comma-separated subset")
    c = sub.add_parser("scifact")
    c.add_argument("--beir", required=True, help="the SciFact BEIR folder")
    c.add_argument("--embed", required=True, help="the healthground binary")
    c.add_argument("--out", required=True)
    args = parser.parse_args()
    {"prepare": prepare, "truth": truth_only, "peers": peers, "scifact": scifact}[args.command](args)


if __name__ == "__main__":
    main()
