#!/bin/bash
# 1 generator vs 2 shards merged, against accord serve --store memory, on 127.0.0.1.
B=${ACCORD:-$(dirname "$0")/../.build/debug/accord}
D=$(mktemp -d /tmp/shardbench.XXXX)
RATE=${RATE:-3000}
$B serve --port 0 --store memory --log-level warning > $D/serve.out 2>&1 &
SP=$!
sleep 2
URL=$(head -1 $D/serve.out | sed 's/listening on //')
cat > $D/h.yaml <<YAML
suite: bench
health: {path: /health, status: 200}
endpoints:
  health: {method: GET, path: /health, expect_status: 200}
targets:
  health: {p99: "< 50ms", rps: ">= $RATE", error_rate: "< 1%"}
YAML
for run in 1 2 3; do
  $B load $D/h.yaml --target $URL --profile smoke --no-capacity --load-seconds 5 --threads 1 --reports $D/one --json $D/one-$run.json > /dev/null 2>&1
  T=$(date -u -d '+3 sec' +%Y-%m-%dT%H:%M:%SZ)
  $B load $D/h.yaml --target $URL --profile smoke --no-capacity --load-seconds 5 --threads 1 --shard 0/2 --start-at $T --reports $D/r0 --json $D/s0-$run.json > /dev/null 2>&1 &
  P0=$!
  $B load $D/h.yaml --target $URL --profile smoke --no-capacity --load-seconds 5 --threads 1 --shard 1/2 --start-at $T --reports $D/r1 --json $D/s1-$run.json > /dev/null 2>&1
  wait $P0
  $B merge $D/s0-$run.json $D/s1-$run.json --reports $D/m --json $D/m-$run.json > /dev/null 2>&1
  python3 - $D $run <<PY
import json, sys
d, run = sys.argv[1], sys.argv[2]
for name in ("one", "m"):
    doc = json.load(open(f"{d}/{name}-{run}.json"))
    e = doc["endpoints"][0]; m = e["measurement"]
    lates = [s["lateBy"] for s in doc.get("shards") or []]
    shards = [json.load(open(f"{d}/s{i}-{run}.json"))["endpoints"][0]["measurement"]["requests"] for i in (0, 1)]
    if name == "m": print(f"  shards sent {shards}, sum {sum(shards)}, merged {m['requests']}")
    print(f"run {run} {'1 generator' if name == 'one' else '2 shards merged'}: requests {m['requests']}, rps {m['rps']:.0f}, p50 {m['p50']:.2f} ms, p99 {m['p99']:.2f} ms, max {m['max']:.1f} ms, behind {e.get('behind')}, late {['%.3f' % l for l in lates]}")
PY
done
kill $SP
rm -rf $D
