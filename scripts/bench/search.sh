#!/usr/bin/env bash
# The search benchmark (issue 5): our exact and int8 search against FAISS, usearch, sqlite-vec and
# numpy on the same vectors, with 1 and 2 threads pinned for everyone, and against the machine's
# limits; plus the ingest+index rate and database bytes per chunk. Prints the table and writes
# eval/reports/search-bench.md and .png. Not a test: the numbers depend on the machine and its load.
#
#   scripts/bench/search.sh [--sizes 10000,100000,1000000] [--threads 1,2] [--scratch DIR]
#                           [--budget SECONDS] [--no-ingest]
#
# Idempotent: reuses .bench-venv/ and the generated data in the scratch folder (default
# /tmp/healthground-bench; nothing goes into git). About 15–20 minutes at the default sizes on an
# idle 2-core machine; --sizes 10000,100000 takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

sizes=10000,100000,1000000
threads=1,2
scratch=${HEALTHGROUND_BENCH_DIR:-/tmp/healthground-bench}
budget=15
ingest=1
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --scratch) scratch=$2; shift 2 ;;
        --budget) budget=$2; shift 2 ;;
        --no-ingest) ingest=0; shift ;;
        *) echo "search.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$scratch" eval/reports
started=$(date +%s)

# 1. The virtualenv with the peers (PyPI).
venv=.bench-venv
if ! "$venv/bin/python" -c "import numpy, faiss, usearch, sqlite_vec, apsw, matplotlib" 2>/dev/null; then
    echo "== creating $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy faiss-cpu usearch sqlite-vec apsw matplotlib
fi
py="$venv/bin/python"
"$py" - <<'PY' >&2
import numpy, faiss, usearch, sqlite_vec, apsw
print(f"peers: numpy {numpy.__version__}, faiss {faiss.__version__}, usearch {usearch.__version__}, "
      f"sqlite-vec {sqlite_vec.__version__ if hasattr(sqlite_vec, '__version__') else '?'}, apsw {apsw.apsw_version()}")
PY

# 2. Our benchmark binary (compiles only VectorSearch). Its own scratch folder, so that it neither
# waits for nor disturbs a build of the whole package in .build/.
bench_build=${SEARCH_BENCH_SCRATCH:-.build-bench}
echo "== swift build -c release --product search-bench --scratch-path $bench_build" >&2
swift build -c release --product search-bench --scratch-path "$bench_build" >&2
bench="$bench_build/release/search-bench"

# 3. Datasets.
results="$scratch/results.jsonl"
: > "$results"
"$py" scripts/bench/search_peers.py prepare --out "$scratch" --sizes "$sizes"
datasets=()
IFS=, read -ra size_list <<< "$sizes"
for n in "${size_list[@]}"; do datasets+=("random-$n"); done

# Real MiniLM vectors of SciFact, when an encoder that makes them is available.
hg=${HEALTHGROUND_BIN:-.build/release/healthground}
shared=${HEALTHGROUND_SHARED:-../shared}
if [ -f "$scratch/scifact-minilm/base.f32" ] && [ -f "$scratch/scifact-minilm/queries.f32" ]; then
    [ -f "$scratch/scifact-minilm/truth.i32" ] || "$py" scripts/bench/search_peers.py truth --data "$scratch/scifact-minilm"
    datasets+=("scifact-minilm")
elif [ -x "$hg" ] && [ -f models/all-MiniLM-L6-v2/model.safetensors ] && [ -f "$shared/eval/scifact/corpus.jsonl" ]; then
    echo "== embedding SciFact with healthground embed (once; about 5 minutes on 2 cores)" >&2
    "$py" scripts/bench/search_peers.py scifact --beir "$shared/eval/scifact" --embed "$hg" --out "$scratch/scifact-minilm"
    datasets+=("scifact-minilm")
else
    echo "search.sh: no release healthground, model or ../shared/eval/scifact: SciFact real-vector rows skipped" >&2
    echo '{"kind": "note", "text": "SciFact real MiniLM rows skipped: build healthground in release mode (swift build -c release), run scripts/setup.sh for the model, and keep ../shared/ beside the checkout."}' >> "$results"
fi

# 4. Every dataset × thread count: ours, then the peers, with the thread count pinned.
IFS=, read -ra thread_list <<< "$threads"
for dataset in "${datasets[@]}"; do
    data="$scratch/$dataset"
    n=$(( $(stat -c %s "$data/base.f32") / 4 / 384 ))
    if [ "$n" -le 20000 ]; then single=500; sqlite_single=100
    elif [ "$n" -le 200000 ]; then single=200; sqlite_single=20
    else single=30; sqlite_single=5; fi
    for t in "${thread_list[@]}"; do
        echo "== $dataset, $t thread(s)" >&2
        export OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t MKL_NUM_THREADS=$t
        "$bench" --name "$dataset" --vectors "$data/base.f32" --queries "$data/queries.f32" \
            --truth "$data/truth.i32" --dim 384 --threads "$t" --single "$single" --bandwidth-mib 512 \
            >> "$results"
        echo >> "$results"
        "$py" scripts/bench/search_peers.py peers --data "$data" --threads "$t" --single "$single" \
            --sqlite-single "$sqlite_single" --budget "$budget" \
            | "$py" -c 'import json,sys; d=json.load(sys.stdin); d["kind"]="peers"; print(json.dumps(d))' >> "$results"
        unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS MKL_NUM_THREADS
    done
done

# 5. Ingest + index rate and bytes per chunk, with the CLI's default (hashing) embedder.
if [ "$ingest" = 1 ]; then
    scripts/bench/ingest_rate.sh "$scratch" >> "$results" || echo '{"kind": "note", "text": "ingest measurement failed (see the log)"}' >> "$results"
fi

# 6. The report, and its summary table in the README.
elapsed=$(( $(date +%s) - started ))
note="Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); run took ${elapsed} s."
"$py" scripts/bench/search_report.py --results "$results" --out eval/reports/search-bench --note "$note" \
    --readme README.md
