/* A process's program when it is gone before the supervisor read
 * /proc/PID/exe: the path its last execve was given, which the
 * filesystem observer's exec program records by tgid (rules/fs_bpf.h,
 * lp_fs_exec_program). Both observers name their findings' processes
 * with it, reading the execs map once for all of a run's findings. */
#pragma once
#include <stdint.h>

#include "supervise/proc.h"

struct lp_exec_names;

/* The execs map `execs` as it is now, its paths to be resolved in the
 * mount namespace of `command` (through `p`, borrowed). NULL when
 * `execs` is -1 or cannot be read (then every name is NULL). */
struct lp_exec_names *lp_exec_names_read(int execs, struct lp_proc *p, int command);
void lp_exec_names_free(struct lp_exec_names *n);

/* The program of `tgid`, its symlinks followed as /proc/PID/exe would
 * have said it; else, for a fork that never exec'd, the one program of
 * the run whose exec gave its thread name `comm`, when there is exactly
 * one (a fork keeps its parent's name). NULL when neither tells. The
 * string is n's. */
const char *lp_exec_name(struct lp_exec_names *n, uint32_t tgid, const char *comm);
