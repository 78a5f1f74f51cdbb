/* `leastpriv export --format oci`: the resolved policy as an OCI/Docker
 * seccomp profile (docker run --security-opt seccomp=FILE, Kubernetes
 * seccompProfile: Localhost). */
#pragma once
#include <stdio.h>

struct lp_policy;

/* Writes p's syscall policy for the native architecture as OCI seccomp
 * JSON: defaultAction from DefaultAction=, one group per action of the
 * syscalls decided otherwise, and the argument conditions the kernel-side
 * filter holds (socket families, clone/unshare namespace flags, ioctl
 * TIOCSTI/TIOCLINUX). What the supervisor decides (paths, destinations,
 * capabilities) is allowed where the policy allows the syscall. 0, or
 * -ENOMEM, -EIO. */
int lp_export_oci(const struct lp_policy *p, FILE *out);
