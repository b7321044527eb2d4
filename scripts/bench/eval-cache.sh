#!/usr/bin/env bash
# Times `healthground eval rubrics` scoring ≥ 1,000 (example, criterion) pairs from the grade cache:
# builds the CLI (release), makes a JSONL of the HealthBench sample's examples with ideal completions
# repeated under new prompt ids, fills a fresh cache with one run of the offline grader, then times a
# second run that must take every grade from the cache. Takes ~1 minute after the build
# (a release build from cold takes 15+ minutes on 2 cores).
set -euo pipefail

cd "$(dirname "$0")/../.."
shared="${HEALTHGROUND_SHARED:-../shared}"
sample="$shared/eval/healthbench-sample"
[ -d "$sample" ] || { echo "needs $sample" >&2; exit 1; }

config="${CONFIG:-release}"  # CONFIG=debug reuses the test build (slower code, no second full build)
swift build -c "$config" --product healthground >/dev/null
bin="$(swift build -c "$config" --show-bin-path)/healthground"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$sample" "$work/examples.jsonl" <<'PY'
import json, pathlib, sys
sample, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
examples = [json.loads(p.read_text()) for p in sorted(sample.glob("*.json"))]
examples = [e for e in examples if e.get("ideal_completions_data")]
pairs, copy, lines = 0, 0, []
while pairs < 1000:
    for e in examples:
        e = dict(e, prompt_id=f"{e['prompt_id']}-{copy}")
        lines.append(json.dumps(e))
        pairs += len(e["rubrics"])
    copy += 1
out.write_text("\n".join(lines) + "\n")
print(f"pairs: {pairs} in {len(lines)} examples", file=sys.stderr)
PY

run() {
  "$bin" eval rubrics --examples "$work/examples.jsonl" --ideal --grader offline \
    --cache "$work/cache.jsonl" --out "$work/report" --json 2>/dev/null
}
run >/dev/null
start=$(date +%s.%N)
run >"$work/second.json"
end=$(date +%s.%N)
python3 - "$work/second.json" "$start" "$end" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
run = report["rubric"]
seconds = float(sys.argv[3]) - float(sys.argv[2])
print(f"pairs graded: {run['itemCount']}, from cache: {run['cachedCount']}")
print(f"second run (whole CLI process, cache hits only): {seconds:.3f} s "
      f"= {seconds / run['itemCount'] * 1000 * 1000:.1f} ms per 1,000 pairs")
PY
