#!/usr/bin/env bash
# The cost of encryption at rest (issue 9): the same 5,000 SciFact abstracts (one chunk each) ingested
# into a space encrypted and into one in clear, then the cold open (data key unwrapped, every vector
# decrypted into the matrix; target < 30 ms) and lexical and hybrid query latency (target: within 10%
# of the clear space). Hashing embedder (d=384), so the crypto is not hidden behind the model.
# Needs ../shared/eval/scifact. Takes 1–3 minutes after the release build. Not a test: the numbers
# depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/../.."

shared="${HEALTHGROUND_SHARED:-../shared}"
scratch=${HEALTHGROUND_BENCH_DIR:-/tmp/healthground-bench-privacy}
swift build -c release --product healthground 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin="$(swift build -c release --show-bin-path)/healthground"
mkdir -p "$scratch"
"$bin" bench-privacy --corpus "$shared/eval/scifact/corpus.jsonl" --queries "$shared/eval/scifact/queries.jsonl" \
    --documents "${DOCUMENTS:-5000}" --count "${QUERIES:-300}" --scratch "$scratch"
rm -rf "$scratch/enabled" "$scratch/disabled"
