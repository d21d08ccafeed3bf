#!/usr/bin/env bash
# Does a long run stay bounded? One scenario of MINUTES minutes (default 60) through
# `accord load SPEC --profile baseline` against the reference server it boots (PostgreSQL,
# Redis, `accord serve`), the vendor's "high" scenario shape (200 users, think 1–3 s, the four
# endpoints evenly). Every 10 s the runner's resident memory (VmRSS of the accord process that
# generates and records, not the server's) goes into a CSV; at the end the script prints RSS at
# minute 5 and at the end, the growth between them, the results document's size and its size per
# minute of load, and appends them to docs/benchmarks.md (section "Long runs").
#
#   bash Benchmarks/long-run-memory.sh [ACCORD_BINARY]     MINUTES=60 USERS=200
#
# Traffic goes to 127.0.0.1 only; the run ends by itself after MINUTES minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
MINUTES=${MINUTES:-60}
USERS=${USERS:-200}
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$runner" 2>/dev/null || true' EXIT
cat > "$work/soak.yaml" <<EOF
suite: soak
description: One long scenario, to see whether memory and results stay bounded.
endpoints:
  health: {method: GET, path: /health, expect_status: 200}
  create_job:
    method: POST
    path: /api/v1/jobs
    query: {domain: load.example, url: "https://load.example/", job_type: navigate_extract}
    json: {depth: 1}
    expect_status: 201
  job_status: {method: GET, path: "/api/v1/jobs/{{job_id}}", expect_status: 200}
  queue_stats: {method: GET, path: /api/v1/queue/stats, expect_status: 200}
variables:
  job_id: 00000000-0000-4000-8000-000000000000
scenarios:
  - name: soak
    users: $USERS
    spawn_rate: 20
    duration: ${MINUTES}m
    think: [1s, 3s]
    mix: {health: 25, create_job: 25, job_status: 25, queue_stats: 25}
EOF

"$ACCORD" load "$work/soak.yaml" --profile baseline --no-capacity --reports "$work/reports" --json "$work/results.json" --quiet \
    > "$work/accord.out" 2>&1 &
runner=$!
echo "seconds,rss_kib" > "$work/rss.csv"
start=$(date +%s)
while kill -0 "$runner" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$runner/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$rss" >> "$work/rss.csv"
    sleep 10
done
wait "$runner" || true
trap - EXIT

at() { awk -F, -v t="$1" 'NR > 1 && $1 >= t { print $2; exit }' "$work/rss.csv"; }
rss5=$(at 300)
# The last sample while the load ran (the scenario starts a few seconds after the runner: boot),
# and the peak after it, when the runner reconciles and writes the results.
rssEnd=$(awk -F, -v t=$((MINUTES * 60)) 'NR > 1 && $1 <= t { v = $2 } END { print v }' "$work/rss.csv")
peak=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m }' "$work/rss.csv")
size=$(stat -c %s "$work/results.json" 2>/dev/null || echo 0)
growth=$(awk -v a="$rss5" -v b="$rssEnd" 'BEGIN { if (a > 0) printf "%+.1f%%", (b - a) * 100 / a; else print "n/a" }')
perMinute=$(awk -v s="$size" -v m="$MINUTES" 'BEGIN { printf "%.3f", s / 1048576 / m }')
requests=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['scenarios'][0]['measurement']['requests'])" "$work/results.json" 2>/dev/null || echo "?")
acknowledged=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(r['acknowledged'] for r in d['reconciliation']))" "$work/results.json" 2>/dev/null || echo "?")

table="| minutes | users | requests | acknowledged jobs | runner RSS at 5 min | at $MINUTES min | growth | peak after the load | results.json | per minute of load |
|---|---|---|---|---|---|---|---|---|---|
| $MINUTES | $USERS | $requests | $acknowledged | $((rss5 / 1024)) MiB | $((rssEnd / 1024)) MiB | $growth | $((peak / 1024)) MiB | $(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB | $perMinute MiB |"
echo "$table"
echo "RSS samples: $work/rss.csv; results: $work/results.json"

{
    echo
    echo "## Long runs (\`Benchmarks/long-run-memory.sh\`, $(date -u '+%Y-%m-%d'))"
    echo
    echo "One ${MINUTES}-minute scenario (the vendor's \"high\" shape: $USERS users, think 1–3 s, the four endpoints"
    echo "evenly) through \`accord load --profile baseline\` against the reference server it booted, release"
    echo "build. The runner's resident memory sampled every 10 s; the results document as written."
    echo
    echo "$table"
} >> docs/benchmarks.md
