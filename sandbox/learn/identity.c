/* The learned profile's dynamic user, tried (identity.h). */
#include "learn/identity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/exit_status.h"
#include "base/log.h"
#include "base/util.h"
#include "findings/findings.h"
#include "launch/launch.h"
#include "profile/load.h"
#include "profile/policy.h"

/* The command's exit status under the profile `text` (when it asks for
 * a dynamic user, or `always`); its findings are not the learned run's
 * and are dropped. */
static int status_under(const char *text, const char *output, const struct lp_run_options *o,
                        bool always, bool *ret_dynamic)
{
        struct lp_policy *p = NULL;
        struct lp_findings *store = NULL;
        if (lp_policy_load_string(text, output, stderr, &p) < 0)
                return -EINVAL;
        int status = -ENOMEM;
        *ret_dynamic = p->dynamic_user.value;
        if ((always || *ret_dynamic) && lp_findings_new(0, &store) >= 0)
                status = lp_run(p, o, store);
        lp_findings_free(store);
        lp_policy_free(p);
        return status;
}

int lp_learn_check_identity(const char *output, const struct lp_run_options *o)
{
        _cleanup_free_ char *text = NULL, *off = NULL;
        bool dynamic = false;
        if (geteuid() != 0)
                return 0; /* it would refuse to run (125): nothing to learn */
        int r = lp_read_text(output, &text);
        if (r < 0)
                return lp_log_errno(r, "learn: cannot read %s back: %m", output);
        lp_info("learn: running the command again, under %s and its dynamic user", output);
        int with = status_under(text, output, o, false, &dynamic);
        if (!dynamic || with == 0)
                return 0;
        /* 125 is leastpriv's own: the run could not be set up (its message
         * says why), which no DynamicUser=no would hide. */
        if (with == LP_EXIT_SETUP_FAILED || with < 0) {
                lp_error("learn: %s could not be run as a dynamic user (see above); left as "
                         "learned",
                         output);
                return 0;
        }
        if (asprintf(&off,
                     "%s\n[Identity]\n# The command failed as a dynamic user (exit %d) and "
                     "passed as the caller:\n# it needs the caller's identity.\nDynamicUser=no\n",
                     text, with) < 0)
                return -ENOMEM;
        lp_info("learn: it failed (exit %d); running it once more without the dynamic user", with);
        int without = status_under(off, output, o, true, &dynamic);
        if (without != 0) {
                lp_info("learn: it failed without it too (exit %d): DynamicUser= stays as learned",
                        without);
                return 0;
        }
        r = lp_write_atomic_text(output, off);
        if (r < 0)
                return lp_log_errno(r, "learn: cannot write %s: %m", output);
        lp_info("learn: %s: DynamicUser=no (the command needs the caller's identity)", output);
        return 0;
}
