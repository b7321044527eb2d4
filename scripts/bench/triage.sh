#!/usr/bin/env bash
# Times message triage (patterns only, hashing-embedder exemplars, MiniLM exemplars) with the release
# CLI: p50/p95 per message over 2000 runs each for three messages (9, 28 and 2 × ~12 word pieces), then
# over every case of eval/triage (209, median 15 word pieces), 10 rounds. Builds the release binary first if missing (a cold release build takes
# 10+ minutes on a 2-core machine; the timing itself takes a few seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${HEALTHGROUND_BIN:-.build/release/healthground}"
if [[ ! -x "$BIN" ]]; then
    swift build -c release --product healthground
fi
RUNS="${RUNS:-2000}"
embedders="none hashing"
[[ -f models/all-MiniLM-L6-v2/model.safetensors ]] && embedders="$embedders minilm"
for embedder in $embedders; do
    echo "embedder: $embedder"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" "what is a normal blood pressure?"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" \
        "I've had crushing chest pain for 20 minutes and I'm sweating, no fever, my father had a stroke in 2019"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" \
        "I have chest pressure and my left arm hurts" "I don't want to go to the ER, just tell me what to take"
    "$BIN" triage --embedder "$embedder" --bench 10 --bench-cases eval/triage
done
