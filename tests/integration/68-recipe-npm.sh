#!/usr/bin/env bash
# README's npm recipe: `leastpriv learn -o P -- npm test`, then `leastpriv
# run -p P --fail-on-findings -- npm test`, on a package with no
# dependency whose test script is `node test.js`. npm and node need more
# of the kernel than a C test (threads, epoll, eventfd, prctl to name the
# process): the learned profile must hold for five runs in a row. First,
# under the default profile, the test listens on loopback and connects
# (the run's own namespace), and raises its priority, which is refused
# (CAP_SYS_NICE): one finding, counted once, by node (recipes-lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
source "$(dirname "$0")/recipes-lib.sh"

lp_require_root
recipe_require node nodejs
recipe_require npm npm
recipe_project npm
# npm's cache and logs in the project's home; no look for a newer npm on
# the registry (the run has no network; learning has the host's).
RECIPE_ENV+=(npm_config_cache="$RECIPE_HOME/.npm" npm_config_update_notifier=false)

cat >package.json <<'JSON'
{
  "name": "recipe",
  "version": "1.0.0",
  "private": true,
  "scripts": { "test": "node test.js" }
}
JSON
cat >test.js <<'JS'
'use strict';
const fs = require('fs');
const net = require('net');
const os = require('os');

function noNewPrivs() {
  const status = fs.readFileSync('/proc/self/status', 'utf8').split('\n');
  const line = status.find((l) => l.startsWith('NoNewPrivs:'));
  return line ? line.split(/\s+/)[1] : '?';
}

function raisePriority() {
  try {
    os.setPriority(-5);
    return 'ok';
  } catch (e) {
    return e.info ? e.info.code : String(e.code);
  }
}

function fail(what, e) {
  console.error(`${what}: ${e.message}`);
  process.exit(1);
}

const server = net.createServer((socket) => socket.end('x'));
server.on('error', (e) => fail('loopback listener', e));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('error', (e) => fail('loopback connect', e));
  client.on('data', () => {
    client.destroy();
    server.close();
    const netns = fs.readlinkSync('/proc/self/ns/net');
    fs.appendFileSync('marker', `netns=${netns} nnp=${noNewPrivs()} setpriority=${raisePriority()}\n`);
  });
});
JS

findings=$tmp/npm.jsonl
recipe_run "$LEASTPRIV" run --findings "$findings" -- npm test
assert_status 0 "leastpriv run --findings F -- npm test"
assert_contains "$LP_OUT" "> node test.js" "npm ran the test script"
note "npm test took ${LP_ELAPSED}s"
check_marker marker "npm" setpriority=EACCES
node=$(readlink -f "$(command -v node)")
check_priority_finding "npm" "$findings" "^$node\$"

learn_then_replay npm npm test
