#!/usr/bin/env bash
# Runs the unit tests (label unit) and the commands that only read profiles
# (check, show, diff, syscalls on the shipped profiles) under valgrind's
# memcheck, from a plain build in build-vg: no sanitizers, which valgrind
# cannot run alongside. Fails on any memcheck error or definite leak.
#
#     tools/valgrind.sh [CTEST-ARGS...]
#
# Not `run`/`learn`: valgrind 3.19 does not implement seccomp(2), so the
# supervisor cannot run under it (ASan covers it: build-asan in .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
        echo "valgrind.sh: valgrind not found: bash tools/setup.sh --valgrind (or apt-get install -y valgrind)" >&2
        exit 2
fi
build=build-vg
cmake -S . -B "$build" -DLP_VALGRIND=ON -DLP_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" -L valgrind --output-on-failure -j"$(nproc)" "$@"
