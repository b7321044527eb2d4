#!/usr/bin/env bash
# The demo: setup, a release build, the project's synthetic sample patient ingested into a fresh
# space, and a few questions answered with cited records. Runs without ../shared/.
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

for question in "what did my last hemoglobin A1c show?" "am I allergic to any antibiotics?" \
    "why was I referred to cardiology?"; do
    echo
    echo "== healthground search --space alex \"$question\""
    "$bin" search --data-dir "$data" --space alex --k 3 "$question"
done
