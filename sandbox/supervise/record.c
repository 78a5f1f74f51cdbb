#include "supervise/record.h"

#include "findings/findings.h"
#include "rules/verdict.h"

int lp_record_verdict(struct lp_findings *store, const struct lp_verdict *v, uint64_t count,
                      int pid, const char *exe, uint64_t first_ms)
{
        int r = 0;
        for (size_t i = 0; i < v->n_findings; i++) {
                const struct lp_verdict_finding *vf = &v->findings[i];
                struct lp_finding f = {
                        .kind = vf->kind,
                        .action = vf->action,
                        .operation = vf->operation,
                        .target = vf->target,
                        .dedupe_target = vf->dedupe,
                        .errno_value = vf->errno_value,
                        .count = count,
                        .pid = pid,
                        .exe = exe,
                        .rule = vf->rule,
                        .fix = vf->fix,
                        .first_ms = first_ms,
                        .hardening = vf->hardening,
                };
                int q = lp_findings_add(store, &f);
                r = r < 0 ? r : q;
        }
        return r;
}
