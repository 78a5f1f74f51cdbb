# default: the profile `leastpriv run` uses when none is named. Ordinary
# test commands pass under it (sh, coreutils, make, cc, python3, threaded
# programs with loopback sockets); the dangerous groups are denied.
[Profile]
Description=Ordinary test work: files, processes, threads, loopback network
Include=base

[Syscalls]
# What every process needs (memory, exit, time, its own ids).
Allow=@default
# Reading and writing open files, pipes and sockets.
Allow=@basic-io
# Paths: open, stat, rename, mkdir, readlink ... (not mount).
Allow=@file-system
# poll, select, epoll: every event loop.
Allow=@io-event
# pipes, SysV and POSIX IPC, shared memory between a test and its helpers.
Allow=@ipc
# mmap, mprotect, madvise: allocators and the dynamic loader.
Allow=@memory
# socket, connect, bind, send, recv (families limited by [Network]).
Allow=@network-io
# fork, clone, execve, wait, kill within the test's own tree.
Allow=@process
# Signal handlers and masks.
Allow=@signal
# fsync and friends.
Allow=@sync
# Timers and sleeps.
Allow=@timer
# Reading and lowering one's own limits and priorities.
Allow=@resources
# The dangerous groups, denied by name so a finding cites this line even
# where an ordinary group overlaps one of them.
Deny=@privileged @mount @module @reboot @swap @raw-io @clock @debug
Deny=@obsolete @cpu-emulation @keyring @namespaces @io-uring @bpf

[Filesystem]
# Where `run` started (the workspace): `leastpriv run -- make check` writes
# its build there. Everything else of the host stays read-only.
ReadWritePaths=.
