#!/usr/bin/env bash
# How long does seeding take? `accord load specs/load.yaml --profile smoke --seed-rows ROWS`
# (default 1,000,000) against the environment it boots: the `jobs` rows through COPY and the
# queued ones' stream entries through pipelined XADD, then the short smoke load (which also
# shows what the seeded volume costs the first reconciliation). Prints the seeding line of the
# results document and the run's total time.
#
#   bash Benchmarks/seeding.sh [ACCORD_BINARY]     ROWS=1000000
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
ROWS=${ROWS:-1000000}
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed to read the results" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
"$ACCORD" load specs/load.yaml --profile smoke --no-capacity --seed-rows "$ROWS" --reports "$work" --json "$work/results.json" \
    >"$work/out.txt" 2>&1 || true
end=$(date +%s)
grep -E "^seed data:|^verdict:" "$work/out.txt" || { cat "$work/out.txt" >&2; exit 1; }
jq -c '.seeding' "$work/results.json"
echo "whole run (boot, seeding, smoke load, reconciliation): $((end - start)) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
