#!/usr/bin/env bash
# The installed CMake package (lib/cmake/leastpriv) on two small projects:
# one whose add_test() names an executable target, a path and a generator
# expression (and one leastpriv_add_test()), and one in the old
# add_test(NAME CMD) form, as zlib writes it. With LEASTPRIV_WRAP_TESTS=ON
# `ctest -j2` runs every test under the installed leastpriv: each test
# listens on loopback and calls ptrace(PTRACE_TRACEME), which `default`
# refuses, so each leaves exactly one ptrace finding in its own findings
# file. A test that cannot be wrapped stops the configure with a message
# that names it; with the switch off, add_test() is left as it was.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

lp_require_root
command -v cc >/dev/null || skip "no C compiler (cc) for the sample projects"
unset LEASTPRIV_PATH LEASTPRIV_PROFILE
# The sample projects get no build settings of the outer ctest's.
unset CFLAGS LDFLAGS CMAKE_BUILD_PARALLEL_LEVEL CTEST_PARALLEL_LEVEL

prefix=$tmp/prefix
capture cmake --install "$LP_BUILD" --prefix "$prefix"
assert_status 0 "cmake --install into a temporary prefix"
[ -f "$prefix/lib/cmake/leastpriv/leastpriv-config.cmake" ] || fatal "no CMake package installed"
installed=$prefix/bin/leastpriv

# ---- the sample projects ---------------------------------------------------
mkdir -p "$tmp/src"
# Exits 0 only when run as leastpriv's default profile runs it: a loopback
# listener works (the run's own network namespace has lo up) and ptrace is
# refused with EPERM. Bare, ptrace(PTRACE_TRACEME) succeeds and it exits 1.
cat >"$tmp/src/probe.c" <<'C'
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        int l = socket(AF_INET, SOCK_STREAM, 0);
        if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *)&a, &len) < 0) {
                printf("probe: loopback listener: %s\n", strerror(errno));
                return 1;
        }
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, len) < 0 || accept(l, NULL, NULL) < 0) {
                printf("probe: loopback connect: %s\n", strerror(errno));
                return 1;
        }
        printf("probe: listening on 127.0.0.1:%u, connected\n", ntohs(a.sin_port));
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0) {
                /* What `leastpriv learn` lets through: it blocks nothing. */
                const char *expect = getenv("PROBE_EXPECT_PTRACE");
                printf("probe: ptrace allowed%s\n", expect ? "" : ": not under leastpriv run");
                return expect && strcmp(expect, "allowed") == 0 ? 0 : 1;
        }
        printf("probe: ptrace: %s\n", strerror(errno));
        return errno == EPERM ? 0 : 1;
}
C

# project NAME: writes $tmp/src/NAME/CMakeLists.txt from stdin.
project_dir() {
        mkdir -p "$tmp/src/$1"
        cat >"$tmp/src/$1/CMakeLists.txt"
        echo "$tmp/src/$1"
}

modern=$(project_dir modern <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(modern C)
enable_testing()
find_package(leastpriv 0.1 REQUIRED)
add_executable(probe ../probe.c)
add_test(NAME by_target COMMAND probe)
add_test(NAME by_path COMMAND ${CMAKE_CURRENT_BINARY_DIR}/probe)
leastpriv_add_test(NAME explicit COMMAND probe PROFILE ${CMAKE_CURRENT_SOURCE_DIR}/probe.profile
                   RUN_OPTIONS --timeout 60)
add_subdirectory(sub)
CMAKE
)
printf '[Profile]\nInclude=default\n' >"$modern/probe.profile"
mkdir -p "$modern/sub"
echo 'add_test(NAME sub/by_genex COMMAND $<TARGET_FILE:probe>)' >"$modern/sub/CMakeLists.txt"

old=$(project_dir old <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(old C)
enable_testing()
find_package(leastpriv REQUIRED)
add_executable(probe ../probe.c)
add_test(by_name probe)
add_test(by_path ${CMAKE_CURRENT_BINARY_DIR}/probe)
CMAKE
)

# Three tests that cannot be wrapped: one added before find_package, one
# naming a target defined after it, one naming a program nowhere in PATH.
unwrappable=$(project_dir unwrappable <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(unwrappable C)
enable_testing()
add_test(NAME too_early COMMAND true)
find_package(leastpriv REQUIRED)
add_test(NAME too_late COMMAND probe)
add_test(not_in_path lp-no-such-program)
add_executable(probe ../probe.c)
CMAKE
)

# configure SRC BUILD ARGS...: configures against the installed package.
configure() {
        local src=$1 build=$2
        shift 2
        capture cmake -S "$src" -B "$build" -DCMAKE_PREFIX_PATH="$prefix" "$@"
}

# count_commands BUILD: sets LP_LISTING to what `ctest -N -V` prints,
# LP_TOTAL to the number of test commands it lists, LP_WRAPPED to those
# that start with the installed leastpriv's `run`.
count_commands() {
        LP_LISTING=$(cd "$1" && ctest -N -V 2>&1)
        LP_TOTAL=$(grep -c 'Test command:' <<<"$LP_LISTING" || true)
        LP_WRAPPED=$(grep -cF "Test command: $installed \"run\"" <<<"$LP_LISTING" || true)
}

# ---- wrapped: every form, under ctest -j2 ----------------------------------
for name in modern old; do
        src=$tmp/src/$name
        build=$tmp/build-$name
        findings=$tmp/findings-$name
        expected=4
        [ "$name" = old ] && expected=2
        configure "$src" "$build" -DLEASTPRIV_WRAP_TESTS=ON -DLEASTPRIV_FINDINGS_DIR="$findings"
        assert_status 0 "$name: configure with LEASTPRIV_WRAP_TESTS=ON"
        [ "$LP_STATUS" -eq 0 ] || { last_output >&2; continue; }
        count_commands "$build"
        [ "$name" = modern ] && assert_contains "$LP_LISTING" \
                "$installed \"run\" \"-p\" \"$modern/probe.profile\" \"--findings\" \"$findings/explicit.jsonl\" \"--timeout\" \"60\" \"--\" \"$build/probe\"" \
                "modern: leastpriv_add_test()'s PROFILE and RUN_OPTIONS"
        assert_eq "$expected" "$LP_TOTAL" "$name: tests ctest -N lists"
        assert_eq "$expected" "$LP_WRAPPED" "$name: tests whose command is 'leastpriv run'"
        capture cmake --build "$build"
        assert_status 0 "$name: build"
        capture ctest --test-dir "$build" -j2 -V
        assert_status 0 "$name: ctest -j2 passes under leastpriv"
        assert_contains "$LP_OUT" "100% tests passed, 0 tests failed out of $expected" \
                "$name: ctest's summary"
        summaries=$(grep -c 'leastpriv:   denied   syscall ptrace(PTRACE_TRACEME) x1 ' <<<"$LP_OUT" || true)
        assert_eq "$expected" "$summaries" "$name: leastpriv's summary in ctest -V, once per test"
        assert_contains "$LP_OUT" "probe: listening on 127.0.0.1:" "$name: the loopback listener"
        files=$(find "$findings" -name '*.jsonl' | wc -l)
        assert_eq "$expected" "$files" "$name: one findings file per test"
        for f in "$findings"/*.jsonl; do
                n=$(grep -c '"kind":"syscall","operation":"ptrace".*"action":"denied".*"count":1,' "$f" || true)
                assert_eq 1 "$n" "$name: $(basename "$f"): one ptrace finding, counted once"
        done
        # The package names each test (LEASTPRIV_TEST_NAME): the findings of
        # the tests name exactly the tests ctest lists.
        tests=$(sed -n 's/.*"test":"\([^"]*\)"}$/\1/p' "$findings"/*.jsonl | sort | tr '\n' ' ')
        listed=$(sed -n 's/^ *Test *#[0-9]*: //p' <<<"$LP_LISTING" | sort | tr '\n' ' ')
        assert_eq "$listed" "$tests" "$name: each test's finding names it, as ctest does"
        [ "$LP_FAILURES" -eq 0 ] || last_output >&2
done

# ---- switched off: add_test() as it was, leastpriv_add_test() wrapped ------
configure "$modern" "$tmp/build-off" -DLEASTPRIV_WRAP_TESTS=OFF
assert_status 0 "modern: configure with LEASTPRIV_WRAP_TESTS=OFF"
count_commands "$tmp/build-off"
assert_eq 4 "$LP_TOTAL" "off: tests ctest -N lists"
assert_eq 1 "$LP_WRAPPED" "off: only leastpriv_add_test()'s test is wrapped"
capture cmake --build "$tmp/build-off"
assert_status 0 "off: build"
# The probe can fail: bare, ptrace is allowed.
capture ctest --test-dir "$tmp/build-off" -R '^by_target$' --output-on-failure
assert_ne 0 "$LP_STATUS" "off: by_target runs bare, and the probe says so"
assert_contains "$LP_OUT" "probe: ptrace allowed: not under leastpriv run" "off: the bare probe's reason"

# ---- learning: every test merges into one profile ----------------------------
learned=$tmp/learned/ctest.profile
mkdir -p "$tmp/learned"
configure "$old" "$tmp/build-learn" -DLEASTPRIV_WRAP_TESTS=ON -DLEASTPRIV_LEARN_OUTPUT="$learned"
assert_status 0 "learn: configure with LEASTPRIV_LEARN_OUTPUT"
listing=$(cd "$tmp/build-learn" && ctest -N -V 2>&1)
n=$(grep -cF "Test command: $installed \"learn\" \"--merge\" \"-o\" \"$learned\" \"--\"" <<<"$listing" || true)
assert_eq 2 "$n" "learn: both tests run under leastpriv learn --merge -o the one profile"
capture cmake --build "$tmp/build-learn"
assert_status 0 "learn: build"
PROBE_EXPECT_PTRACE=allowed capture ctest --test-dir "$tmp/build-learn" -j2 --output-on-failure
assert_status 0 "learn: ctest -j2 passes (learning blocks nothing)"
n=$(grep -c '^Allow=ptrace ' "$learned" 2>/dev/null || true)
assert_eq 1 "$n" "learn: the merged profile grants ptrace, once"
capture "$installed" check "$learned"
assert_status 0 "learn: the merged profile is valid"

# ---- what cannot be wrapped stops the configure ----------------------------
configure "$unwrappable" "$tmp/build-unwrappable" -DLEASTPRIV_WRAP_TESTS=ON
assert_ne 0 "$LP_STATUS" "unwrappable: configure fails"
err=$(tr -s ' \n' ' ' <<<"$LP_ERR")
assert_contains "$err" "test 'too_early' ($unwrappable) was added before find_package(leastpriv)" \
        "unwrappable: a test added before find_package"
assert_contains "$err" "test 'too_late' ($unwrappable) runs 'probe', a target defined after its add_test()" \
        "unwrappable: a target defined after its test"
assert_contains "$err" "test 'not_in_path' ($unwrappable) runs 'lp-no-such-program', which is neither a target nor a program in PATH" \
        "unwrappable: a program leastpriv would not find"
[ -f "$tmp/build-unwrappable/CTestTestfile.cmake" ] &&
        fail "unwrappable: a CTestTestfile.cmake was generated; its tests would run bare"
LP_CHECKS=$((LP_CHECKS + 1))
