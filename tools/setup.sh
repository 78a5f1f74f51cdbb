#!/usr/bin/env bash
# Installs what leastpriv needs to build and test on Debian/Ubuntu (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config \
  libseccomp-dev libcap-ng-dev libnl-3-dev libnl-route-3-dev libcmocka-dev \
  python3 python3-jsonschema iproute2 procps util-linux \
  clang-format \
  clang libclang-rt-dev valgrind `# tools/fuzz.sh (libFuzzer runtime), tools/valgrind.sh` \
  postgresql # tests/integration/37-run-forward.sh starts one of its own
