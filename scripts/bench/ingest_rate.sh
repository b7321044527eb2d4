#!/usr/bin/env bash
# Ingest + index rate and database bytes per chunk, measured with the CLI and its default (hashing)
# embedder, so that it times parsing, chunking and the store rather than MiniLM. Prints one JSON line
# ({"kind": "ingest", ...}) for search_report.py.
#
#   scripts/bench/ingest_rate.sh [SCRATCH] [INPUT]
#
# INPUT defaults to the Synthea bulk NDJSON export in ../shared/corpora/synthea-bulk-ndjson. Each run
# starts from an empty data folder under SCRATCH. Uses $HEALTHGROUND_BIN, or a release build of the
# CLI (built here when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${1:-/tmp/healthground-bench}
input=${2:-${HEALTHGROUND_SHARED:-../shared}/corpora/synthea-bulk-ndjson}
hg=${HEALTHGROUND_BIN:-.build/release/healthground}
if [ ! -x "$hg" ]; then
    echo "ingest_rate.sh: building the CLI (release)" >&2
    swift build -c release --product healthground >&2
fi
[ -e "$input" ] || { echo "ingest_rate.sh: no input at $input" >&2; exit 1; }
data="$scratch/ingest-data"
rm -rf "$data"
mkdir -p "$data"
start=$(date +%s.%N)
# A model folder that does not exist makes the CLI fall back to the hashing embedder.
"$hg" ingest --data-dir "$data" --model-dir "$scratch/no-model" --space bench --json "$input" > "$scratch/ingest-report.json"
end=$(date +%s.%N)
python3 - "$scratch/ingest-report.json" "$data" "$start" "$end" "$input" <<'PY'
import json, os, sys
report, data, start, end, source = sys.argv[1:]
r = json.load(open(report))
chunks = sum(f.get("chunksAdded", 0) for f in r.get("files", []))
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data) for f in fs)
print(json.dumps({"kind": "ingest", "input": os.path.basename(os.path.normpath(source)), "files": len(r.get("files", [])),
                  "chunks": chunks, "seconds": float(end) - float(start), "bytes": size}))
PY
