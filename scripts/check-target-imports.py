#!/usr/bin/env python3
"""Every target declares what it imports, and imports what it declares; the pure core
(AccordSpec, AccordChecks, AccordResults, AccordReports, AccordHTTPTypes) does not reach
libcurl (CCurl), directly or through another target.

Reads `swift package dump-package` (the package as SwiftPM sees it) and each target's
sources; prints, per target, modules imported but not declared (they would build only
through another target's dependency) and declared dependencies never imported (dead weight
in the graph). Exit 1 when there is either. C system-library targets are skipped.

    python3 scripts/check-target-imports.py
"""
import json, os, re, subprocess, sys

SYSTEM = {"Foundation", "Glibc", "Darwin", "Synchronization", "Testing", "XCTest", "Dispatch", "FoundationEssentials", "os"}
# Products whose module name differs from the product's (product -> modules it provides).
PRODUCT_MODULES = {"Histogram": {"Histogram"}}

package = json.loads(subprocess.run(["swift", "package", "dump-package"], capture_output=True, text=True, check=True).stdout)
problems = 0
for target in package["targets"]:
    if target["type"] in ("system",):
        continue
    name = target["name"]
    path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
    declared = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    imported = set()
    for root, _, files in os.walk(path):
        for file in files:
            if file.endswith(".swift"):
                for line in open(os.path.join(root, file), encoding="utf-8"):
                    match = re.match(r"^(?:@testable\s+|@_exported\s+)?import\s+(?:struct\s+|enum\s+|class\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
                    if match:
                        imported.add(match.group(1))
    imported -= SYSTEM
    undeclared = sorted(imported - declared)
    unused = sorted(declared - imported)
    if undeclared or unused:
        problems += 1
        print(f"{name}: imports but does not declare {undeclared or '-'}; declares but never imports {unused or '-'}")
graph = {}
for target in package["targets"]:
    graph[target["name"]] = {d[k][0] for d in target["dependencies"] for k in ("byName", "target") if k in d}

def reaches(name, seen=None):
    seen = set() if seen is None else seen
    for dependency in graph.get(name, ()):
        if dependency not in seen:
            seen.add(dependency)
            reaches(dependency, seen)
    return seen

for core in ("AccordSpec", "AccordChecks", "AccordResults", "AccordReports", "AccordHTTPTypes"):
    if "CCurl" in reaches(core):
        problems += 1
        print(f"{core} reaches CCurl: the pure core must not link libcurl")
if problems:
    sys.exit(1)
print("every target declares exactly what it imports; the pure core does not reach CCurl")
