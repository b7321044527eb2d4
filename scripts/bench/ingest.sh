#!/usr/bin/env bash
# Ingestion benchmark: parse throughput (MB/s) for FHIR NDJSON, C-CDA and Apple Health export.xml, and
# the peak resident set size while parsing a 1 GB generated export.xml (must stay under 300 MB).
# Builds the `ingest-bench` runner (release by default; BUILD=debug for a quicker build), generates
# corpora/generated/export.xml once (about a minute) and reads ../shared/corpora. Takes 2–5 minutes
# after the build. Set SIZE_MB to change the size of the generated export.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD="${BUILD:-release}"
SIZE_MB="${SIZE_MB:-1024}"
SHARED="${HEALTHGROUND_SHARED:-../shared}/corpora"
GENERATED="corpora/generated"
LIMIT_KB=$((300 * 1024))

say() { printf 'bench: %s\n' "$*"; }

swift build -c "$BUILD" --product ingest-bench >/dev/null
BENCH="$(swift build -c "$BUILD" --show-bin-path)/ingest-bench"
mkdir -p "$GENERATED/bench"

# FHIR NDJSON: the Synthea bulk export's record files, concatenated five times (~50 MB).
ndjson="$GENERATED/bench/synthea-x5.ndjson"
if [ ! -s "$ndjson" ]; then
    for _ in 1 2 3 4 5; do
        for file in "$SHARED"/synthea-bulk-ndjson/*.ndjson; do
            [ "$(basename "$file")" = log.ndjson ] || cat "$file"
        done
    done >"$ndjson"
fi
say "FHIR NDJSON"
"$BENCH" "$ndjson" | tail -1

# C-CDA: the twelve HL7 example documents, each parsed 20 times.
say "C-CDA"
find "$SHARED/ccda-examples/Documents" -type f -iname '*.xml' -print0 | xargs -0 "$BENCH" --repeat 20 | tail -1

# Apple Health: the generated export.xml, with peak memory.
export_xml="$GENERATED/export.xml"
if [ ! -s "$export_xml" ] || [ "$(($(stat -c %s "$export_xml") >> 20))" -lt "$SIZE_MB" ]; then
    python3 scripts/make-apple-health-export.py --size-mb "$SIZE_MB" --out "$export_xml"
fi
say "Apple Health export.xml ($(($(stat -c %s "$export_xml") >> 20)) MB)"
/usr/bin/time -v "$BENCH" "$export_xml" 2>"$GENERATED/bench/time.txt" | tail -1
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$GENERATED/bench/time.txt")
say "peak RSS $((peak_kb / 1024)) MB (limit 300 MB)"
if [ "$peak_kb" -gt "$LIMIT_KB" ]; then
    say "FAIL: peak RSS above 300 MB"
    exit 1
fi
