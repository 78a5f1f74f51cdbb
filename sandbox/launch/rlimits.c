#include "launch/rlimits.h"

#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>

#include "profile/policy.h"

static int apply(int resource, const struct lp_limit *l)
{
        if (!l->set)
                return 0;
        rlim_t v = l->value == UINT64_MAX ? RLIM_INFINITY : (rlim_t)l->value;
        struct rlimit rl = {v, v};
        return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

int lp_limits_apply(const struct lp_policy *p, enum lp_step *ret_step)
{
        *ret_step = LP_STEP_LIMIT_PROCESSES;
        int r = apply(RLIMIT_NPROC, &p->processes);
        if (r < 0)
                return r;
        *ret_step = LP_STEP_LIMIT_OPEN_FILES;
        return apply(RLIMIT_NOFILE, &p->open_files);
}
