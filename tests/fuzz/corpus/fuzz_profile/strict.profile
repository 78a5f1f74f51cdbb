# strict: for unit tests that need no network and no environment at all.
[Profile]
Description=Pure computation and files: no network, cleared environment
Include=default

[Syscalls]
# Kill rather than answer EPERM: under strict, reaching outside the
# allowed set is a bug to stop at, not a condition to handle.
DefaultAction=kill

[Network]
# A new namespace with lo down: not even loopback.
Namespace=none
# Local sockets only (socketpair, AF_UNIX servers on the file system).
AddressFamilies=
AddressFamilies=AF_UNIX

[Environment]
# Nothing from the caller's environment but what is set here.
Clear=yes
Set=PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TZ=UTC

[Limits]
Processes=512
OpenFiles=1024

[Identity]
# A uid and gid of the run's own, allocated for it and given back when it
# ends: the command owns nothing of the host's, nor of another run's, and
# what it writes in its workspace is the caller's on disk. Needs root
# (an idmapped workspace); an unprivileged caller gets exit 125 and a
# profile that includes strict with DynamicUser=no.
DynamicUser=yes
