/* The namespaces the command gets before anything else is set up: a user
 * namespace when leastpriv is not root and the profile wants any other
 * (mapping the caller's ids to themselves, so that the others can be
 * created), a network namespace unless [Network] Namespace=host, IPC and
 * UTS namespaces with [Host] PrivateIPC= and ProtectHostname=. The mount
 * and PID namespaces come later (pidns.h). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "launch/steps.h"

struct lp_policy;

/* Whether this run creates a user namespace: not root, not --audit (which
 * changes nothing of what the command sees), and some namespace wanted. */
bool lp_namespaces_need_userns(const struct lp_policy *p, bool audit);

/* An unprivileged learn: a user namespace mapping the caller's ids to
 * themselves, only so that the command can have a PID namespace in which
 * its processes are counted rather than notified (pidns.h). Nothing else
 * of its view changes but what `run` changes too: files of unmapped ids
 * show as the overflow id. Not for a caller that holds capabilities (they
 * would then bind in that namespace only). Best effort: 0 whether made or
 * not; -errno only when the mapping that worked in a trial fails now,
 * leaving the process in a namespace without ids (the run must fail). */
int lp_namespaces_learning_userns(uid_t uid, gid_t gid);

/* In the child: the namespaces the policy wants, and the user namespace
 * (not root) before them; `in_userns`: the child was born in that one, so
 * only its ids are mapped. 0 or -errno; *ret_step names the failing
 * step. */
int lp_namespaces_create(const struct lp_policy *p, uid_t uid, gid_t gid, bool in_userns,
                         enum lp_step *ret_step);
