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
