#!/usr/bin/env bash
# README's Go recipe, `go test -exec 'leastpriv run --findings F --'`, on a
# module of one package with no dependency: go builds the test binary
# outside the sandbox, and leastpriv runs it in the package's directory.
# The test listens on loopback and connects (the run's own namespace), and
# raises its priority, which the default profile refuses (CAP_SYS_NICE):
# one finding, counted once, by the test binary (recipes-lib.sh).
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
mkdir -p .gotmp

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

findings=$tmp/go.jsonl
recipe_run go test -exec "$(recipe_wrapper "$findings")" ./...
assert_status 0 "go test -exec 'leastpriv run --findings F --'"
assert_match "$LP_OUT" $'^ok[ \t]+recipe[ \t]' "go test's summary: the package passed"
note "go test took ${LP_ELAPSED}s (with the first build of the cache)"
check_marker marker "go" setpriority=EACCES
check_priority_finding "go" "$findings" "^$RECIPE_DIR/\.gotmp/go-build[0-9]+/b001/recipe\.test\$"
