#!/usr/bin/env bash
# README's meson recipe, `meson test --wrapper 'leastpriv run --append
# --findings F --'`, on a C project of two test programs: meson builds
# outside the sandbox and runs each test through the wrapper, in the build
# directory, and F gets the findings of both. The test
# listens on loopback and connects (the run's own namespace), and calls
# ptrace(PTRACE_TRACEME), which the default profile refuses (@debug): one
# finding per program, counted once, by that program (recipes-lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
source "$(dirname "$0")/recipes-lib.sh"

lp_require_root
recipe_require meson meson
recipe_require ninja ninja-build
recipe_require cc build-essential
recipe_project meson

cat >meson.build <<'MESON'
project('recipe', 'c')
test('loopback-and-ptrace', executable('probe', 'probe.c'))
test('second-program', executable('probe2', 'probe.c'))
MESON
cat >probe.c <<'C'
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *no_new_privs(void)
{
        static char value[16] = "?";
        char line[256];
        FILE *f = fopen("/proc/self/status", "r");
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "NoNewPrivs: %15s", value) == 1)
                        break;
        if (f)
                fclose(f);
        return value;
}

static int loopback(void)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        int l = socket(AF_INET, SOCK_STREAM, 0);
        if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *)&a, &len) < 0) {
                printf("probe: loopback listener: %s\n", strerror(errno));
                return -1;
        }
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, len) < 0 || accept(l, NULL, NULL) < 0) {
                printf("probe: loopback connect: %s\n", strerror(errno));
                return -1;
        }
        return 0;
}

int main(void)
{
        if (loopback() < 0)
                return 1;
        const char *traceme = "ok";
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
                traceme = errno == EPERM ? "EPERM" : strerror(errno);
        char netns[64] = "?";
        ssize_t n = readlink("/proc/self/ns/net", netns, sizeof(netns) - 1);
        netns[n > 0 ? n : 0] = '\0';
        FILE *m = fopen("marker", "a");
        if (!m || fprintf(m, "netns=%s nnp=%s ptrace=%s\n", netns, no_new_privs(), traceme) < 0 ||
            fclose(m) != 0) {
                printf("probe: marker: %s\n", strerror(errno));
                return 1;
        }
        return 0;
}
C

recipe_run meson setup build
assert_status 0 "meson setup build"
findings=$tmp/meson.jsonl
recipe_run meson test -C build --wrapper "$(recipe_wrapper "$findings")"
assert_status 0 "meson test --wrapper 'leastpriv run --append --findings F --'"
assert_match "$LP_OUT" '^Ok: +2 *$' "meson test's summary: both tests passed"
assert_match "$LP_OUT" '^Fail: +0 *$' "meson test's summary: none failed"
note "meson test took ${LP_ELAPSED}s (with the build)"
check_marker build/marker "meson" ptrace=EPERM 2
# Two test programs, two runs appending: the findings of both are there.
check_finding_per_program "meson" "$findings" syscall ptrace \
        "^$RECIPE_DIR/build/probe\$" "^$RECIPE_DIR/build/probe2\$" -- \
        'action=denied' 'target=ptrace(PTRACE_TRACEME)' 'fix=[Syscalls] Allow=ptrace'
