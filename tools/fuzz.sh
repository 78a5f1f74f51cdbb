#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, UB is
# fatal) in build-fuzz and runs each for SECONDS (default 60). Fails on any
# crash, leak, UB report, timeout or OOM; the input that caused it is left
# in build-fuzz/artifacts/ (reproduce: build-fuzz/tests/fuzz/fuzz_NAME FILE).
#
#     tools/fuzz.sh [SECONDS]
#
# New inputs go to build-fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME:
# the checked-in seeds change only by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
build=build-fuzz
cc=${CC:-$(command -v clang || command -v clang-14 || true)}
if [[ -z "$cc" ]]; then
        echo "fuzz.sh: clang not found: bash tools/setup.sh --fuzz (or apt-get install -y clang libclang-rt-dev)" >&2
        exit 2
fi

CC="$cc" cmake -S . -B "$build" -DLP_FUZZ=ON -DLP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_profile fuzz_decode fuzz_report fuzz_filter_cache fuzz_sarif_merge fuzz_import_oci fuzz_dns_query fuzz_packet

# halt_on_error: the first report ends the run with a failure status.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$build/artifacts"
status=0
for target in fuzz_profile fuzz_decode fuzz_report fuzz_filter_cache fuzz_sarif_merge fuzz_import_oci fuzz_dns_query fuzz_packet; do
        corpus="$build/corpus/$target"
        mkdir -p "$corpus"
        dict=()
        [[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
        echo "fuzz.sh: $target for ${seconds}s"
        # -timeout is wall-clock time per input: generous, so that a loaded
        # machine is not reported as a hang (every input takes microseconds).
        if ! "$build/tests/fuzz/$target" "${dict[@]}" -max_total_time="$seconds" \
                -timeout=60 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
                -artifact_prefix="$build/artifacts/$target-" \
                "$corpus" "tests/fuzz/corpus/$target" 2>"$build/$target.log"; then
                tail -n 60 "$build/$target.log" >&2
                echo "fuzz.sh: $target FAILED; inputs in $build/artifacts/" >&2
                status=1
                continue
        fi
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+[[:space:]]+DONE' \
                "$build/$target.log" || true
done
exit "$status"
