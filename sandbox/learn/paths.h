/* What a written path is learned as (README, "Learning mode"): temporary
 * and log directories rotate (pytest's /tmp/pytest-of-root/pytest-12 is
 * pytest-13 the next time, a log directory gets a dated subdirectory a
 * day), so a directory whose name a program makes anew each run, in such
 * a place, is learned as its parent: the next run writes beside it. */
#pragma once
#include <stdbool.h>

/* Whether a file name looks made anew each run: a counter or a date after
 * a separator ("pytest-12", "app.log.3", "run_20261130"), or mktemp's
 * random suffix ("tmp.Xa81Kd": six or more letters and digits, upper and
 * lower case, with a digit). */
bool lp_learn_generated_name(const char *name);

/* Rewrites the absolute `path` in place to the directory the next run
 * will also write in: its parent while its last name is generated and it
 * lies in a temporary directory (/tmp, /var/tmp, /dev/shm, $TMPDIR) or
 * below a directory named tmp, temp, log, logs or _logs; never above that
 * directory. */
void lp_learn_generalise_path(char *path);

/* A destination ("udp 127.0.0.1:41234") as a learned comment says it: the
 * port replaced by "ephemeral" where it lies in the kernel's ephemeral
 * range (net.ipv4.ip_local_port_range) and the destination becomes no
 * Forward= (any but TCP to the loopback), so that learning twice gives
 * the same bytes. A copy (free it), or NULL when out of memory. */
char *lp_learn_stable_destination(const char *target);
