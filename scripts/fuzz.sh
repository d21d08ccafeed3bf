#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets and run each for a bounded time; exit 1 on any crash,
# trap, hang (an input taking over FUZZ_INPUT_TIMEOUT s) or memory blow-up.
#
#   bash scripts/fuzz.sh [SECONDS]         # SECONDS per target, default 60
#
# Targets (Sources/Fuzz*/, see docs/reliability.md):
#   FuzzSpecLoader          spec-file bytes through the YAML loader, the decoder and the diagnostics
#   FuzzRequestValidation   create-job query + body through CreateJobValidation and AccordJSON
#
# Environment: FUZZ_TARGETS (space-separated subset), FUZZ_SCRATCH (build directory, default
# .build-fuzz: the instrumented build never touches .build), FUZZ_OUT (where the grown corpus
# and any crash inputs go, default a new temporary directory, kept when something failed),
# FUZZ_INPUT_TIMEOUT (default 10 s).
#
# How the build works: SwiftPM gives every executable a Swift `main`, which clashes with
# libFuzzer's own, so the code is instrumented in the frontend only (-sanitize=fuzzer) and
# libFuzzer is linked without its main (libclang_rt.fuzzer_no_main); the targets' Swift main
# (FuzzDriver) hands over to LLVMFuzzerRunDriver. A plain `swift build` of the same targets
# replays files instead: `.build/debug/FuzzSpecLoader fixtures/fuzz/spec-loader`.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
SECONDS_PER_TARGET=${1:-60}
TARGETS=${FUZZ_TARGETS:-FuzzSpecLoader FuzzRequestValidation}
SCRATCH=${FUZZ_SCRATCH:-$REPO/.build-fuzz}
INPUT_TIMEOUT=${FUZZ_INPUT_TIMEOUT:-10}
OUT=${FUZZ_OUT:-$(mktemp -d -t accord-fuzz.XXXXXX)}

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
    echo "usage: scripts/fuzz.sh [SECONDS per target, ≥ 1]" >&2
    exit 2
fi

# libFuzzer without its main, from the toolchain's clang resource directory.
swiftc_path=$(readlink -f "$(command -v swiftc)")
runtime=$(ls "$(dirname "$swiftc_path")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a 2>/dev/null | head -n 1 || true)
if [ -z "$runtime" ]; then
    echo "fuzz.sh: libclang_rt.fuzzer_no_main not found next to $swiftc_path (a Swift toolchain for Linux ships it)" >&2
    exit 2
fi

# Seeds per target: its own fixtures (including every input that once crashed), plus the
# repository's spec files and broken YAML for the spec loader.
seeds_for() {
    case "$1" in
        FuzzSpecLoader) echo "fixtures/fuzz/spec-loader specs fixtures/yaml fixtures/broken-specs" ;;
        FuzzRequestValidation) echo "fixtures/fuzz/request-validation" ;;
    esac
}
dictionary_for() {
    case "$1" in
        FuzzSpecLoader) echo "fixtures/fuzz/spec-loader.dict" ;;
        FuzzRequestValidation) echo "fixtures/fuzz/request-validation.dict" ;;
    esac
}
max_len_for() {
    case "$1" in
        FuzzSpecLoader) echo 16384 ;;
        FuzzRequestValidation) echo 8192 ;;
    esac
}

for target in $TARGETS; do
    case "$target" in
        FuzzSpecLoader | FuzzRequestValidation) ;;
        *) echo "fuzz.sh: unknown target $target (FuzzSpecLoader, FuzzRequestValidation)" >&2; exit 2 ;;
    esac
done

failed=0
for target in $TARGETS; do
    echo "== $target: building (instrumented, release, in $SCRATCH)"
    mkdir -p "$OUT/$target"
    if ! swift build -c release --product "$target" --scratch-path "$SCRATCH" \
        -Xswiftc -Xfrontend -Xswiftc -sanitize=fuzzer \
        -Xlinker --whole-archive -Xlinker "$runtime" -Xlinker --no-whole-archive -Xlinker -lstdc++ \
        >"$OUT/$target/build.txt" 2>&1; then
        grep -E "error" "$OUT/$target/build.txt" | head -n 20 >&2 || tail -n 20 "$OUT/$target/build.txt" >&2
        echo "fuzz.sh: $target did not build (log: $OUT/$target/build.txt)" >&2
        exit 1
    fi
    grep -E "^Build of product" "$OUT/$target/build.txt" || true
    binary="$SCRATCH/release/$target"

    corpus="$OUT/$target/corpus"
    artifacts="$OUT/$target/artifacts"
    mkdir -p "$corpus" "$artifacts"
    read -r -a seeds <<<"$(seeds_for "$target")"
    echo "== $target: fuzzing for ${SECONDS_PER_TARGET}s (seeds: ${seeds[*]})"
    set +e
    # Swift's own crash reporter would take the signal from libFuzzer, which then could not
    # save the crashing input: leave traps to libFuzzer.
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" "${seeds[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout="$INPUT_TIMEOUT" -rss_limit_mb=2048 \
        -max_len="$(max_len_for "$target")" -dict="$(dictionary_for "$target")" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$OUT/$target/log.txt" 2>&1
    status=$?
    set -e
    grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)" "$OUT/$target/log.txt" || true
    # libFuzzer exits non-zero on a crash, a trap, a slow input (-timeout) or too much memory.
    if [ "$status" -ne 0 ]; then
        echo "FAIL $target: libFuzzer exited $status; inputs in $artifacts, log in $OUT/$target/log.txt" >&2
        grep -E "property violated|Fatal error|ERROR: libFuzzer|deadly signal|==ERROR" "$OUT/$target/log.txt" | head -n 5 >&2 || true
        failed=1
    else
        echo "ok $target: no crash in ${SECONDS_PER_TARGET}s"
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "fuzz.sh: failures; everything kept in $OUT (after a fix, add the crashing input to fixtures/fuzz/<target>/)" >&2
    exit 1
fi
[ -n "${FUZZ_OUT:-}" ] || rm -rf "$OUT"
echo "fuzz.sh: all targets ran ${SECONDS_PER_TARGET}s without a crash"
