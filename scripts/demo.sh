#!/usr/bin/env bash
# The demo: setup, a release build, the project's synthetic sample patient ingested into a fresh
# space, and a few questions answered with cited records (and one the records cannot answer). Runs without ../shared/.
# Takes 5–10 minutes on a fresh clone (the release build), about 10 seconds after.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product healthground 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin="$(swift build -c release --show-bin-path)/healthground"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

echo
echo "== healthground doctor"
"$bin" doctor --data-dir "$data" || true

echo
echo "== healthground ingest --space alex corpora/sample-patient"
"$bin" ingest --data-dir "$data" --space alex corpora/sample-patient

echo
echo "== healthground search --space alex --k 3 \"penicillin\""
"$bin" search --data-dir "$data" --space alex --k 3 "penicillin"

for question in "what did my last hemoglobin A1c show?" "how has my blood pressure changed since I started lisinopril?" \
    "why was I referred to cardiology?" "what did my colonoscopy show?"; do
    echo
    echo "== healthground ask --space alex \"$question\""
    "$bin" ask --data-dir "$data" --space alex "$question" | sed -n '1,/^Patient summary/p' | sed '$d'
done

echo
echo "== healthground context --space alex --budget 800 \"what medications am I taking?\"  (what a model would see)"
"$bin" context --data-dir "$data" --space alex --budget 800 "what medications am I taking?"
