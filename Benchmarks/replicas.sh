#!/usr/bin/env bash
# One server against two replicas behind nginx (`accord run --replicas`), on this machine:
# `accord run specs/load.yaml` once with one server reached directly and once with
# `--replicas 2`, which also searches one endpoint's capacity with nginx sending everything to
# replica 0 (one instance behind the same nginx). Prints the capacities, the 1-vs-2 ratio and
# each replica's share, for docs/benchmarks.md ("Replicas: 1 vs 2").
#
#   bash Benchmarks/replicas.sh [ACCORD_BINARY]     (default: the release build)
#   PROFILE=smoke bash Benchmarks/replicas.sh       (shorter; default quick)
#
# On a 2-core machine two servers, nginx, PostgreSQL, Redis and the load generator share the
# cores: the figures check that replicas work (the load spreads, nothing is lost), they do not
# measure how replicas scale on machines of their own. All traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
PROFILE=${PROFILE:-quick}
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }
[ -x /usr/sbin/nginx ] || { echo "nginx missing: apt-get install nginx" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for replicas in 1 2; do
    echo "accord run specs/load.yaml --profile $PROFILE --replicas $replicas …" >&2
    # Exit 1 is a missed vendor target on this machine: the figures are still what we want.
    "$ACCORD" run specs/load.yaml --profile "$PROFILE" --replicas "$replicas" --reports "$work/reports-$replicas" \
        --json "$work/r$replicas.json" --quiet || [ $? -eq 1 ]
done

python3 - "$work/r1.json" "$work/r2.json" "$(nproc)" <<'PY'
import json, sys
one, two, cores = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
def cap(doc, subject):
    c = next((c for c in doc["capacity"] if c["subject"] == subject), None)
    if c is None: return "—"
    s = c.get("sustainedRPS")
    text = f"{s:,.0f}" if s else "none"
    return text + (" (generator-bound)" if c.get("generatorBound") else "")
print(f"{cores} cores, profile {one['profile']}\n")
print("| capacity (sustained req/s) | 1 server, direct | 2 replicas behind nginx |")
print("|---|---|---|")
for c in two["capacity"]:
    print(f"| {c['subject']} | {cap(one, c['subject'])} | {cap(two, c['subject'])} |")
scaling = two.get("scaling")
if scaling:
    s1 = scaling["oneInstance"].get("sustainedRPS") or 0
    sN = next((c.get("sustainedRPS") or 0 for c in two["capacity"] if c["subject"] == scaling["subject"]), 0)
    ratio = f"×{sN / s1:.2f}" if s1 else "—"
    print(f"\n{scaling['subject']}: one instance behind the same nginx {s1:,.0f} req/s sustained, "
          f"2 replicas {sN:,.0f} req/s: {ratio}")
print("\n| replica | requests | RPS over the load | share | CPU s | peak RSS MiB |")
print("|---|---|---|---|---|---|")
instances = two.get("instances") or []
total = sum(i.get("requests") or 0 for i in instances) or 1
for i in instances:
    print(f"| {i['index']} | {i.get('requests')} | {i.get('rps', 0):,.0f} | {100 * (i.get('requests') or 0) / total:.1f}% "
          f"| {i.get('cpuSeconds', 0):.1f} | {i.get('peakRSSMiB', 0):.1f} |")
lost = sum(r["lostInDatabase"] + r["duplicatedInDatabase"] + r["lostInStreams"] + r["duplicatedInStreams"] for r in two["reconciliation"])
print(f"\nreconciliation with 2 replicas: {sum(r['acknowledged'] for r in two['reconciliation'])} acknowledged, {lost} lost or duplicated")
for name, doc in (("1 server", one), ("2 replicas", two)):
    broken = [c["name"] for s in doc["suites"] if s["name"] != "targets" for c in s["cases"] if c["outcome"] in ("failed", "error")]
    print(f"{name}: {len(broken)} verdicts failed outside the vendor's targets" + (f": {broken}" if broken else ""))
PY
