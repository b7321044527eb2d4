#!/usr/bin/env bash
# Times context(for:) on a space of about 20,000 chunks, query embedding included: p50 and p99 over
# the patient questions (eval/patient-questions), with the default embedder (MiniLM when installed).
# Needs ../shared/ (the Synthea bulk export fills most of the space). Takes 3–10 minutes, most of it
# embedding the space once; the space is kept in .bench-data/ and reused.
set -euo pipefail

cd "$(dirname "$0")/../.."
scripts/setup.sh
swift build -c release --product healthground 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin="$(swift build -c release --show-bin-path)/healthground"
data=".bench-data/context"
shared="${HEALTHGROUND_SHARED:-../shared}"
target=${CHUNKS:-20000}

if [ ! -f "$data/.ready-$target" ]; then
    rm -rf "$data"
    mkdir -p "$data/copies"
    "$bin" ingest --data-dir "$data" --space bench "$shared/corpora/synthea-bulk-ndjson" corpora/sample-patient >/dev/null
    count_chunks() {
        "$bin" bench-context --data-dir "$data" --space bench --queries eval/patient-questions/queries.jsonl --count-only
    }
    count=$(count_chunks)
    copy=0
    while [ "$count" -lt "$target" ]; do
        copy=$((copy + 1))
        cp corpora/sample-patient/alex-rivera.json "$data/copies/copy-$copy.json"
        "$bin" ingest --data-dir "$data" --space bench "$data/copies/copy-$copy.json" >/dev/null
        count=$(count_chunks)
    done
    touch "$data/.ready-$target"
fi

for threads in 1 2; do
    echo "threads=$threads: $(OPENBLAS_NUM_THREADS=$threads "$bin" bench-context --data-dir "$data" --space bench \
        --queries eval/patient-questions/queries.jsonl --passes 5 --threads "$threads")"
done
