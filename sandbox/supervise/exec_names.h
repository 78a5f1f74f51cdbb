/* A process's program when it is gone before the supervisor read
 * /proc/PID/exe: the path its last execve was given, which the
 * filesystem observer's exec program records by tgid (rules/fs_bpf.h,
 * lp_fs_exec_program). Both observers name their findings' processes
 * with it. */
#pragma once
#include <stdint.h>

#include "supervise/proc.h"

/* The program of `tgid`, its symlinks followed in the mount namespace of
 * `command` (through `p`) as /proc/PID/exe would have said it; else, for
 * a fork that never exec'd, the one program of the run whose exec gave
 * its thread name `comm`, when there is exactly one (a fork keeps its
 * parent's name). NULL when neither tells, or `execs` is -1. malloc'd. */
char *lp_exec_name(int execs, struct lp_proc *p, int command, uint32_t tgid, const char *comm);
