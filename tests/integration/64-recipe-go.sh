#!/usr/bin/env bash
# README's Go recipe, `go test -exec 'leastpriv run --append --findings F
# --'`, on a module of two packages with no dependency: go builds each
# test binary outside the sandbox, and leastpriv runs it in its package's
# directory; F gets the findings of both.
# The test listens on loopback and connects (the run's own namespace), and
# raises its priority, which the default profile refuses (CAP_SYS_NICE):
# one finding per test binary, counted once (recipes-lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
source "$(dirname "$0")/recipes-lib.sh"

lp_require_root
recipe_require go golang-go
recipe_project go
# Nothing from the network (GOPROXY=off: a module with no dependency needs
# none), the build cache and go's temporary directory (where the test
# binary is built) in the project.
RECIPE_ENV+=(GOCACHE="$RECIPE_HOME/.cache/go-build" GOPATH="$RECIPE_HOME/go"
        GOTMPDIR="$RECIPE_DIR/.gotmp" GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local)
mkdir -p .gotmp second

cat >go.mod <<'GO'
module recipe

go 1.19
GO
cat >recipe_test.go <<'GO'
package recipe

import (
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func noNewPrivs() string {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "NoNewPrivs:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "NoNewPrivs:"))
		}
	}
	return "?"
}

func raisePriority() string {
	switch err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, -5); err {
	case nil:
		return "ok"
	case syscall.EACCES:
		return "EACCES"
	case syscall.EPERM:
		return "EPERM"
	default:
		return err.Error()
	}
}

func TestLoopbackAndPriority(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("loopback listener: %v", err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("loopback connect: %v", err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	s.Close()
	netns, _ := os.Readlink("/proc/self/ns/net")
	line := fmt.Sprintf("netns=%s nnp=%s setpriority=%s\n", netns, noNewPrivs(), raisePriority())
	if err := os.WriteFile("marker", []byte(line), 0o644); err != nil {
		t.Fatalf("marker: %v", err)
	}
}
GO
# A second package, the same test: a second test binary, a second run.
sed 's/^package recipe$/package second/' recipe_test.go >second/second_test.go

findings=$tmp/go.jsonl
recipe_run go test -exec "$(recipe_wrapper "$findings")" ./...
assert_status 0 "go test -exec 'leastpriv run --append --findings F --'"
assert_match "$LP_OUT" $'^ok[ \t]+recipe[ \t]' "go test's summary: the package passed"
assert_match "$LP_OUT" $'^ok[ \t]+recipe/second[ \t]' "go test's summary: the second package passed"
note "go test took ${LP_ELAPSED}s (with the first build of the cache)"
check_marker marker "go" setpriority=EACCES
check_marker second/marker "go: second" setpriority=EACCES
check_finding_per_program "go" "$findings" capability CAP_SYS_NICE \
        "^$RECIPE_DIR/\.gotmp/go-build[0-9]+/b[0-9]+/recipe\.test\$" \
        "^$RECIPE_DIR/\.gotmp/go-build[0-9]+/b[0-9]+/second\.test\$" -- \
        'action=denied' 'errno=EACCES' 'target=setpriority()' 'fix=[Capabilities] Keep=CAP_SYS_NICE'
