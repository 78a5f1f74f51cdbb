/* The decision (docs/architecture.md, "The decision"): a decoded call and
 * the policy -> the answer to the tracee and the findings to record. Pure:
 * no system calls, no memory of the tracee (the call is decoded already),
 * what /proc would tell through d->proc. The supervisor's receive loop
 * only receives, decodes, decides, answers and records. */
#pragma once
#include <stdint.h>

#include "rules/call.h"
#include "rules/verdict.h"

/* Fills v:
 *   - a call the profile does not allow is refused with the profile's
 *     errno, or killed (a profile kill; a foreign ABI); while learning,
 *     what it did with its arguments is described too (the capability,
 *     family or destination to grant as well);
 *   - a watched call the profile allows goes to its check (watch.h);
 *   - under --audit (and learn) every answer but a foreign ABI's kill
 *     becomes CONTINUE: the kernel decides, the findings say "audited". */
void lp_decide(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* Fills v with what `syscall` would have come to had it been notified,
 * for `count` processes and threads the command created while the
 * creating calls stayed in the kernel (learning in a PID namespace,
 * launch/pidns.h): one finding, its target the count. The answer is
 * CONTINUE: nothing waits for it. */
void lp_decide_created(const struct lp_decider *d, const char *syscall, uint64_t count,
                       struct lp_verdict *v);
