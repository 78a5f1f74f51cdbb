#!/usr/bin/env bash
# README's cargo recipe, `CARGO_TARGET_<TRIPLE>_RUNNER='leastpriv run
# --append --findings F --' cargo test --offline`, on a crate with no
# dependency and two test programs (the library's unit tests, an
# integration test): cargo builds outside the sandbox and runs each test
# binary through the runner, in the package's directory. The test listens
# on loopback and connects (the run's own namespace), and raises its
# priority, which the default profile refuses (CAP_SYS_NICE): one finding
# per test binary, counted once, and F gets both (recipes-lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
source "$(dirname "$0")/recipes-lib.sh"

lp_require_root
recipe_require cargo cargo
recipe_require rustc cargo
recipe_project cargo
RECIPE_ENV+=(CARGO_HOME="$RECIPE_HOME/.cargo" CARGO_TERM_COLOR=never)
# The runner variable names the host's target triple (x86_64: X86_64_UNKNOWN_LINUX_GNU).
triple=$(rustc -vV | sed -n 's/^host: //p')
[ -n "$triple" ] || fatal "rustc -vV names no host triple"
runner_var=CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$triple")_RUNNER

mkdir -p src
cat >Cargo.toml <<'TOML'
[package]
name = "recipe"
version = "0.1.0"
edition = "2021"

[lib]
doctest = false
TOML
cat >src/lib.rs <<'RUST'
#[cfg(test)]
mod tests {
    use std::io::{Error, Read, Write};
    use std::net::{TcpListener, TcpStream};

    extern "C" {
        fn setpriority(which: i32, who: u32, prio: i32) -> i32;
    }

    fn no_new_privs() -> String {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let value = status.lines().find_map(|l| l.strip_prefix("NoNewPrivs:"));
        value.map_or("?".to_string(), |v| v.trim().to_string())
    }

    fn raise_priority() -> String {
        // PRIO_PROCESS (0) of the calling thread (0), to nice -5.
        if unsafe { setpriority(0, 0, -5) } == 0 {
            return "ok".to_string();
        }
        match Error::last_os_error().raw_os_error() {
            Some(13) => "EACCES".to_string(),
            Some(1) => "EPERM".to_string(),
            other => format!("errno-{:?}", other),
        }
    }

    #[test]
    fn loopback_and_priority() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("loopback listener");
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).expect("loopback connect");
        let (mut server, _) = listener.accept().expect("accept");
        client.write_all(b"x").unwrap();
        let mut byte = [0u8; 1];
        server.read_exact(&mut byte).unwrap();
        let netns = std::fs::read_link("/proc/self/ns/net").unwrap();
        let line = format!("netns={} nnp={} setpriority={}\n", netns.display(), no_new_privs(), raise_priority());
        let mut marker = std::fs::OpenOptions::new().create(true).append(true).open("marker").expect("marker");
        marker.write_all(line.as_bytes()).expect("marker");
    }
}
RUST
# An integration test, the same test: a second test program, a second run.
mkdir -p tests
sed -e '1,2d' -e '$d' src/lib.rs >tests/second.rs

findings=$tmp/cargo.jsonl
recipe_run env "$runner_var=$(recipe_wrapper "$findings")" cargo test --offline
assert_status 0 "$runner_var='leastpriv run --append --findings F --' cargo test --offline"
assert_contains "$LP_OUT" "test result: ok. 1 passed; 0 failed" "cargo test's summary"
note "cargo test took ${LP_ELAPSED}s (with the build)"
check_marker marker "cargo" setpriority=EACCES 2
check_finding_per_program "cargo" "$findings" capability CAP_SYS_NICE \
        "^$RECIPE_DIR/target/debug/deps/recipe-[0-9a-f]+\$" \
        "^$RECIPE_DIR/target/debug/deps/second-[0-9a-f]+\$" -- \
        'action=denied' 'errno=EACCES' 'target=setpriority()' 'fix=[Capabilities] Keep=CAP_SYS_NICE'
