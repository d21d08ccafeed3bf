#!/usr/bin/env python3
"""Checks a merged results document against the shard documents it was merged from, with
code independent of the kit's (PyPI's hdrhistogram for the histograms). Used by
scripts/shards-netns-test.sh.

    check-shards-merge.py MERGED.json SHARD.json… [--access-log FILE --addresses A0,A1,…]

- merged requests = the sum of the shards', phase by phase (endpoints and scenarios), and the
  merged per-shard table lists each shard's requests;
- the merged latency histogram of each phase ([value, count] pairs) is the shards' added up,
  and its stated percentiles are those of that sum; the merge's per-second HISTF histograms
  added up, decoded by hdrhistogram, equal the shards' per-second HISTF histograms added up
  (total, min, max, every percentile);
- every reconciliation of the merge covers every shard's acknowledged ids (which no two shards
  share) and found none lost or duplicated, in PostgreSQL and in the streams;
- with --access-log (nginx's `$remote_addr $request_method $status "$http_user_agent"`): each
  shard's requests came from its own address (shard i from the i-th of --addresses), at
  least as many as its document counts, and no load came from anywhere else.

Prints what it checked; exits 1 on the first list of problems.
"""
import argparse
import collections
import json
import sys

from hdrh.histogram import HdrHistogram

problems = []
checked = []


def phases(document):
    """name -> phase, for the endpoint phases and the scenarios."""
    out = {}
    for group in ("endpoints", "scenarios"):
        for phase in document.get(group) or []:
            out[f"{group[:-1]} {phase['name']}"] = phase
    return out


def pairs(phase):
    counts = collections.Counter()
    for value, count in (phase.get("latency") or {}).get("counts", []):
        counts[value] += count
    return counts


def value_at(counts, percentile):
    """The smallest recorded value at or below which `percentile` % of the values lie."""
    total = sum(counts.values())
    wanted = max(1, -(-int(percentile * total * 1000) // 100000)) if percentile < 100 else total
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= wanted:
            return value
    return max(counts) if counts else 0


def series_histogram(phase):
    """Every second's HISTF histogram of a phase, added up by hdrhistogram; None when a
    second kept none."""
    total = None
    for second in phase.get("series") or []:
        encoded = second.get("latency")
        if not encoded:
            if second.get("requests"):
                return None
            continue
        histogram = HdrHistogram.decode(encoded)
        if total is None:
            total = histogram
        else:
            total.add(histogram)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("merged")
    parser.add_argument("shards", nargs="+")
    parser.add_argument("--access-log")
    parser.add_argument("--addresses")
    arguments = parser.parse_args()

    merged = json.load(open(arguments.merged))
    shards = [json.load(open(path)) for path in arguments.shards]
    shards.sort(key=lambda d: d["shard"]["index"])
    if merged.get("kind") != "merge":
        problems.append(f"{arguments.merged}: kind is {merged.get('kind')}, not merge")
    if [d["shard"]["index"] for d in shards] != list(range(len(shards))):
        problems.append(f"shard indexes {[d['shard']['index'] for d in shards]}, not 0..{len(shards) - 1}")

    # Requests and histograms, phase by phase.
    merged_phases = phases(merged)
    shard_phases = [phases(d) for d in shards]
    shard_requests = [0] * len(shards)
    hdr_phases = 0
    for name, phase in merged_phases.items():
        if phase.get("skipped"):
            continue
        parts = [p.get(name) for p in shard_phases]
        if any(part is None for part in parts):
            problems.append(f"{name}: in the merge but not in every shard")
            continue
        requests = [part["measurement"]["requests"] for part in parts]
        for i, count in enumerate(requests):
            shard_requests[i] += count
        if phase["measurement"]["requests"] != sum(requests):
            problems.append(f"{name}: merged requests {phase['measurement']['requests']} != shards' {requests} (sum {sum(requests)})")
        added = collections.Counter()
        for part in parts:
            added.update(pairs(part))
        merged_pairs = pairs(phase)
        if +merged_pairs != +added:
            problems.append(f"{name}: the merged latency histogram is not the shards' added up")
        if sum(added.values()):
            for key, percentile in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100)):
                stated = round(phase["measurement"][key] * 1000)
                expected = value_at(added, percentile)
                # The stated figure is the histogram's value at that percentile: the same
                # bucket as the recorded value (HdrHistogram's equivalent values).
                probe = HdrHistogram(1, 3_600_000_000, 3)
                if probe.get_lowest_equivalent_value(stated) != probe.get_lowest_equivalent_value(expected):
                    problems.append(f"{name}: merged {key} {stated} µs, but the shards' histograms added up give {expected} µs")
        # hdrhistogram, reading the HISTF histograms of every second.
        from_shards = [series_histogram(part) for part in parts]
        from_merge = series_histogram(phase)
        if from_merge is not None and all(h is not None for h in from_shards) and from_shards:
            total = from_shards[0]
            for histogram in from_shards[1:]:
                total.add(histogram)
            ours = (from_merge.get_total_count(), from_merge.get_min_value(), from_merge.get_max_value())
            theirs = (total.get_total_count(), total.get_min_value(), total.get_max_value())
            if ours != theirs:
                problems.append(f"{name}: hdrhistogram: merged per-second histograms (count, min, max) {ours} != shards' {theirs}")
            for percentile in (50, 75, 90, 95, 99, 99.9, 99.99, 100):
                a, b = from_merge.get_value_at_percentile(percentile), total.get_value_at_percentile(percentile)
                if a != b:
                    problems.append(f"{name}: hdrhistogram p{percentile}: merged {a} µs != shards' {b} µs")
            hdr_phases += 1
    if not merged_phases:
        problems.append("the merge has no load phase")
    if hdr_phases == 0:
        problems.append("no phase had per-second HISTF histograms in the merge and every shard")
    checked.append(f"{len(merged_phases)} phases: merged requests = sum of the shards' ({sum(shard_requests)} = {' + '.join(map(str, shard_requests))}), "
                   f"histograms and percentiles exact ({hdr_phases} phases read back by hdrhistogram)")

    table = {row["index"]: row for row in merged.get("shards") or []}
    for i, count in enumerate(shard_requests):
        if i not in table:
            problems.append(f"the merge's shard table has no shard {i}")
        elif table[i]["requests"] < count:
            problems.append(f"the merge's shard table says shard {i} sent {table[i]['requests']} requests, its phases {count}")

    # Reconciliation: every shard's ids, together.
    ids_by_phase = collections.defaultdict(list)
    for i, document in enumerate(shards):
        for entry in document.get("reconciliation") or []:
            ids_by_phase[entry["phase"]].append(set(entry.get("acknowledgedIDs") or []))
    reconciliations = merged.get("reconciliation") or []
    if not reconciliations:
        problems.append("the merge reconciled nothing")
    acknowledged = 0
    for entry in reconciliations:
        name = entry["phase"]
        sets = ids_by_phase.get(name, [])
        union = set().union(*sets) if sets else set()
        if sum(len(s) for s in sets) != len(union):
            problems.append(f"reconciliation {name}: an acknowledged id is in two shards")
        if entry["acknowledged"] != len(union):
            problems.append(f"reconciliation {name}: {entry['acknowledged']} acknowledged in the merge, {len(union)} over the shards")
        for field in ("lostInDatabase", "duplicatedInDatabase", "lostInStreams", "duplicatedInStreams"):
            if entry.get(field, 0) != 0:
                problems.append(f"reconciliation {name}: {field} = {entry[field]}")
        if entry.get("note"):
            problems.append(f"reconciliation {name}: not fully checked: {entry['note']}")
        acknowledged += entry["acknowledged"]
    later = reconciliations[1:]
    if later and reconciliations[0].get("lostInStreams", 0) == 0 and all(
            e["acknowledged"] > 0 and e.get("lostInStreams") == e["acknowledged"] and e.get("lostInDatabase", 0) == 0 for e in later):
        problems.append(
            "every reconciled phase after the first lost all its jobs in the streams while PostgreSQL has them all: the streams "
            "look read once, by the first phase's reconciliation (a Reconciler reads each stream on from where it stopped, "
            "but the merge reconciles after every phase's jobs are already in the streams)")
    if reconciliations and acknowledged == 0:
        problems.append("no job was acknowledged in any reconciled phase")
    checked.append(f"reconciliation over every shard's jobs: {acknowledged} acknowledged jobs in {len(reconciliations)} phases, none lost or duplicated")

    # Each shard from its own address.
    if arguments.access_log:
        addresses = arguments.addresses.split(",")
        by_address = collections.Counter()
        for line in open(arguments.access_log):
            address, rest = line.split(" ", 1)
            if '"netns-probe"' in rest:
                continue
            by_address[address] += 1
        for i, address in enumerate(addresses[: len(shards)]):
            if by_address[address] < max(1, shard_requests[i]):
                problems.append(f"shard {i}: {by_address[address]} requests arrived from {address}, its document counts {shard_requests[i]}")
        strangers = {a: n for a, n in by_address.items() if a not in addresses}
        if strangers:
            problems.append(f"load arrived from addresses no shard has: {strangers}")
        checked.append("each shard's traffic from its own address: " + ", ".join(
            f"shard {i} {address}: {by_address[address]} requests" for i, address in enumerate(addresses[: len(shards)])))

    if not problems:
        for line in checked:
            print(f"check-shards-merge: {line}")
    for message in problems:
        print(f"check-shards-merge: FAILED: {message}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
