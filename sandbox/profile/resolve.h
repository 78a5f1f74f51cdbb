/* [Syscalls] tokens -> one rule per syscall of the native architecture. */
#pragma once

struct lp_policy;

/* Builds p->syscalls (sorted by number) from p->allow, p->deny and
 * p->default_action. 0 or -ENOMEM. */
int lp_resolve_syscalls(struct lp_policy *p);
