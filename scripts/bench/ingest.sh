#!/usr/bin/env bash
# Ingestion benchmark: parse throughput (MB/s) for FHIR NDJSON, C-CDA and Apple Health export.xml, and
# the peak resident set size while parsing a 1 GB generated export.xml (must stay under 300 MB).
# Builds the `ingest-bench` runner (release by default; BUILD=debug for a quicker build), generates
# corpora/generated/export.xml once (about a minute) and reads ../shared/corpora. Takes 2–5 minutes
# after the build. Set SIZE_MB to change the size of the generated export.
# MB/s is given twice: by wall-clock time, and by CPU time (user + system), which a loaded machine
# disturbs less.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD="${BUILD:-release}"
SIZE_MB="${SIZE_MB:-1024}"
SHARED="${HEALTHGROUND_SHARED:-../shared}/corpora"
GENERATED="corpora/generated"
TIMING="$GENERATED/bench/time.txt"
LIMIT_KB=$((300 * 1024))

say() { printf 'bench: %s\n' "$*"; }

# Runs ingest-bench under /usr/bin/time; prints its total line with CPU-time MB/s and peak RSS.
measure() {
    local total bytes cpu peak
    total=$(/usr/bin/time -v "$BENCH" "$@" 2>"$TIMING" | tail -1)
    bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$total")
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$TIMING")
    peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMING")
    printf '%s\tcpu-seconds=%s\tcpu-MB/s=%s\tpeak-RSS-MB=%d\n' "$total" "$cpu" \
        "$(awk -v b="$bytes" -v c="$cpu" 'BEGIN {printf "%.1f", (c > 0 ? b / 1e6 / c : 0)}')" "$((peak / 1024))"
}

swift build -c "$BUILD" --product ingest-bench >/dev/null 2>&1
BENCH="$(swift build -c "$BUILD" --show-bin-path)/ingest-bench"
mkdir -p "$GENERATED/bench"
say "machine load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

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
measure "$ndjson"

# C-CDA: the twelve HL7 example documents, each parsed 20 times.
say "C-CDA"
mapfile -d '' documents < <(find "$SHARED/ccda-examples/Documents" -type f -iname '*.xml' -print0 | sort -z)
measure --repeat 20 "${documents[@]}"

# Apple Health: the generated export.xml, with peak memory.
export_xml="$GENERATED/export.xml"
if [ ! -s "$export_xml" ] || [ "$(($(stat -c %s "$export_xml") >> 20))" -lt "$SIZE_MB" ]; then
    python3 scripts/make-apple-health-export.py --size-mb "$SIZE_MB" --out "$export_xml"
fi
say "Apple Health export.xml ($(($(stat -c %s "$export_xml") >> 20)) MB)"
measure "$export_xml"
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMING")
if [ "$peak_kb" -gt "$LIMIT_KB" ]; then
    say "FAIL: peak RSS $((peak_kb / 1024)) MB is above 300 MB"
    exit 1
fi
say "peak RSS $((peak_kb / 1024)) MB is under the 300 MB limit"
