#!/usr/bin/env bash
# Records fixtures/reports/ from real runs, never by hand: the report tests render each
# results document and compare with the golden files recorded here (review them in the diff).
#
#   1. run      accord run specs/ --profile smoke               (the reference server: passes)
#   2. broken   the same against accord serve --inject-fault lost-enqueue: jobs acknowledged
#               and never queued, so failed cases and lost-job reconciliations stay in the
#               fixtures (and whatever errors the run saw)
#   3. check    accord check of four spec files against accord serve --store memory
#               --inject-fault wrong-create-status, with a --database-url where nothing
#               listens: passed, failed (creates answer 200) and error cases (the side-effect
#               probe cannot reach PostgreSQL)
#
# Each results document is normalised (dates, ports, process ids, temporary paths, machine
# facts and case durations: what differs between two recordings of the same behaviour), then
# baseline.md, report.html and junit.xml are rendered from it by `accord report`.
#
#   bash scripts/record-report-fixtures.sh [ACCORD_BINARY]     (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build --show-bin-path)/accord}
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build)" >&2; exit 2; }
out=fixtures/reports
work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

verdict() { # a run must reach a verdict (0 or 1); anything else is a broken recording
    local status=$1 what=$2
    if [ "$status" -gt 1 ]; then echo "$what exited $status: no fixture recorded" >&2; exit 1; fi
}

set +e
"$ACCORD" run specs --profile smoke --load-seconds 1 --reports "$work/run" --json "$work/run.json" --quiet
verdict $? "accord run"
"$ACCORD" run specs --profile smoke --load-seconds 1 --reports "$work/broken" --json "$work/broken.json" --quiet \
    --server-arg=--inject-fault --server-arg=lost-enqueue
verdict $? "accord run (lost-enqueue)"
set -e

"$ACCORD" serve --store memory --port 0 --inject-fault wrong-create-status > "$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -1)
[ -n "$url" ] || { echo "accord serve did not start: $(cat "$work/serve.out")" >&2; exit 1; }
set +e
"$ACCORD" check specs/health.yaml specs/create-job.yaml specs/job-status.yaml specs/side-effects.yaml --target "$url" \
    --database-url postgres://accord@127.0.0.1:1/accord --json "$work/check.json" --quiet >/dev/null
verdict $? "accord check"
set -e
kill "$server"; server=""

for name in run broken check; do
    python3 - "$work/$name.json" "$out/$name.results.json" <<'EOF'
import json, re, sys
source, target = sys.argv[1], sys.argv[2]
text = open(source).read()
# Ports, temporary directories and process ids differ on every recording.
text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
text = re.sub(r"/tmp/[A-Za-z0-9._-]+", "/tmp/TMP", text)
doc = json.loads(text)
doc["date"] = "2026-12-07 12:00:00 UTC"
doc["startedAt"] = "2026-12-07T12:00:00.000Z"
doc["command"] = re.sub(r"--(reports|json) \S+", r"--\1 DIR", doc["command"])
for fact in doc.get("environment", []):
    if fact["name"] in ("CPU", "Memory", "OS", "Cores", "PostgreSQL", "Redis"):
        fact["value"] = "(normalised)"
    fact["value"] = re.sub(r"pid \d+", "pid PID", fact["value"])
for suite in doc["suites"]:
    for case in suite["cases"]:
        case["seconds"] = 0.001
json.dump(doc, open(target, "w"), indent=2, sort_keys=True, ensure_ascii=False)
open(target, "a").write("\n")
EOF
    "$ACCORD" report "$out/$name.results.json" --out "$work/rendered-$name" >/dev/null
    for file in baseline.md report.html junit.xml; do cp "$work/rendered-$name/$file" "$out/$name.$file"; done
done
echo "recorded: $(ls $out | tr '\n' ' ')"
