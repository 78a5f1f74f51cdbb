#!/bin/sh
# no-tun.sh STAND_IN COMMAND...: COMMAND with STAND_IN, a file only root
# may open, bound over /dev/net/tun, in the mount namespace that
# `unshare -m --propagation private` gave this script (the host's node is
# neither changed nor seen). uid 65534's runs then take the notified path
# whatever the host's node allows, as on this project's CI machine, whose
# node is root's alone: their expected findings are that path's.
# 49-run-outside-route.sh gives uid 65534 the outside route on purpose.
stand_in=$1
shift
if [ -e /dev/net/tun ]; then
        mount --bind "$stand_in" /dev/net/tun || exit 125
fi
exec "$@"
