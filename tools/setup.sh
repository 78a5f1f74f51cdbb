#!/usr/bin/env bash
# Installs what leastpriv needs to build, install and test on Debian/Ubuntu
# (as root):
#
#     tools/setup.sh                      the build, man pages and the test suite
#     tools/setup.sh --fuzz --valgrind    also clang for tools/fuzz.sh and
#                                         valgrind for tools/valgrind.sh (CI)
#
# Another apt (unattended-upgrades on a machine just booted) may hold the
# dpkg lock or the package lists' lock: this waits for it, up to 10
# minutes, instead of failing at once.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
        build-essential cmake pkg-config
        libseccomp-dev libcap-ng-dev libnl-3-dev libnl-route-3-dev libcmocka-dev
        libjson-c-dev                           # reading JSON others wrote (SARIF to add to, OCI profiles)
        scdoc                                   # the man pages (docs/man/*.scd)
        python3 python3-jsonschema iproute2 procps util-linux
        python3-yaml                            # tests/tools/run-action.py reads action.yml
        clang-format
        zsh                                     # tests/integration/62-install-completion.sh
        golang-github-containers-common         # Docker's default seccomp.json: tests/integration/11-*
        postgresql                              # tests/integration/37-run-forward.sh starts one of its own
        # tests/integration/6N-recipe-*.sh: each ecosystem's test runner
        # wrapped in leastpriv, on a tiny project of its own.
        golang-go cargo meson ninja-build python3-pytest nodejs
)
# Debian's npm, unless the nodejs installed brings its own (NodeSource's
# package conflicts with Debian's npm).
command -v npm >/dev/null || packages+=(npm)
for arg in "$@"; do
        case $arg in
        --fuzz) packages+=(clang libclang-rt-dev) ;; # tools/fuzz.sh: libFuzzer and its runtime
        --valgrind) packages+=(valgrind) ;;          # tools/valgrind.sh
        *)
                echo "setup.sh: unknown argument '$arg' (known: --fuzz --valgrind)" >&2
                exit 2
                ;;
        esac
done

lock_wait=600
apt_get() {
        apt-get -o DPkg::Lock::Timeout=$lock_wait "$@"
}

# DPkg::Lock::Timeout covers the dpkg lock that `install` takes; `update`
# takes the package lists' lock, for which apt has no wait: retry while
# another apt holds it.
update_package_lists() {
        local deadline=$((SECONDS + lock_wait)) log
        until log=$(apt_get update 2>&1); do
                if [[ $log != *"Could not get lock"* ]] || ((SECONDS >= deadline)); then
                        printf '%s\n' "$log" >&2
                        return 1
                fi
                echo "setup.sh: another apt holds the package lists' lock; waiting" >&2
                sleep 5
        done
        printf '%s\n' "$log"
}

update_package_lists
# -qq: what is installed, not every download and unpack (errors still show).
apt_get install -y -qq --no-install-recommends "${packages[@]}"
