#!/usr/bin/env bash
# The test command: setup (packages, model), build, format lint, then the whole test suite.
# Takes 5–15 minutes on a fresh clone (most of it the first build of the dependencies), 1–3 after.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -d ../shared/corpora ] && [ -z "${HEALTHGROUND_SHARED:-}" ]; then
    echo "test: ../shared/ is absent: tests that read the public corpora will be reported as skipped" >&2
fi
swift build --build-tests
swift format lint --strict --recursive Package.swift Sources Tests
swift test --skip-build --parallel --num-workers 2
