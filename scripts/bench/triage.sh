#!/usr/bin/env bash
# Times message triage (patterns and concepts only, hashing-embedder exemplars, MiniLM exemplars) with
# the release CLI: p50/p95 per message over 2000 runs each for four messages (a short question, a
# 28-word emergency, two turns, and a 150-word message), then over every case of eval/triage (459),
# 10 rounds. Targets: under 5 ms p50 for a short message, under 15 ms for a 150-word one. Builds the release binary first if missing (a cold release build takes
# 10+ minutes on a 2-core machine; the timing itself takes a few seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${HEALTHGROUND_BIN:-.build/release/healthground}"
if [[ ! -x "$BIN" ]]; then
    swift build -c release --product healthground
fi
RUNS="${RUNS:-2000}"
# 150 words, several sentences, the red flag in the middle (written for this benchmark).
LONG_MESSAGE="Sorry this is long, it has been a strange week and I am not sure who else to ask. We moved \
house on Saturday and the boxes are still everywhere, so my husband has been doing most of the lifting \
because my back has not been great since the winter. He is fifty eight and takes tablets for his blood \
pressure, and he usually never complains about anything. This morning he said he felt a bit off and went \
for a lie down after breakfast. About twenty minutes ago he came back downstairs and his speech sounded \
slurred, the left side of his face looked droopy, and he could not lift his left arm to take the cup of \
tea I handed him. He says he is fine, just tired from the move, and does not want any fuss at all. He has \
no chest pain and no headache. Should I let him sleep it off and see how he is tonight?"
embedders="none hashing"
[[ -f models/all-MiniLM-L6-v2/model.safetensors ]] && embedders="$embedders minilm"
for embedder in $embedders; do
    echo "embedder: $embedder"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" "what is a normal blood pressure?"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" \
        "I've had crushing chest pain for 20 minutes and I'm sweating, no fever, my father had a stroke in 2019"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" \
        "I have chest pressure and my left arm hurts" "I don't want to go to the ER, just tell me what to take"
    "$BIN" triage --embedder "$embedder" --bench "$RUNS" "$LONG_MESSAGE"
    "$BIN" triage --embedder "$embedder" --bench 10 --bench-cases eval/triage
done
