# The default profile for a container without CAP_SYS_ADMIN (a default
# `docker run`): there, no namespace can be created and nothing mounted,
# so these lines turn off what needs them. The container's own namespaces
# stand in for them (its network, IPC, hostname, PID namespace and root
# filesystem). What still holds: the seccomp filter and its findings, every
# capability dropped, no_new_privs, the withheld variables, the rlimits,
# the closed descriptors, and the tree killed at the end (README, "As a
# container entrypoint").
[Profile]
Include=default
Description=default, for a container without CAP_SYS_ADMIN: no namespaces, no mounts

[Network]
Namespace=host

[Host]
PrivateIPC=no
ProtectHostname=no

[Filesystem]
ProtectSystem=no
PrivateTmp=no
PrivateDevices=no
ProtectKernelTunables=no
ProtectControlGroups=no
InaccessiblePaths=
