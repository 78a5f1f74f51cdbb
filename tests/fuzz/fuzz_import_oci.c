/* libFuzzer: arbitrary bytes as an OCI seccomp profile, through the
 * importer. Its contract is the oracle: an accepted input yields profile
 * text that loads (sealed: only the embedded profiles can be included),
 * whose policy exports again; a refused input yields nothing. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "convert/export_oci.h"
#include "convert/export_systemd.h"
#include "convert/import_oci.h"
#include "fuzz.h"
#include "profile/load.h"
#include "profile/policy.h"

/* Messages are formatted for real, into a sink. */
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        sink = fopen("/dev/null", "w");
        if (!sink)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *profile = NULL;
        int r = lp_import_oci((const char *)data, size, "fuzz.json", sink, &profile);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r < 0) {
                FUZZ_CHECK(!profile);
                return 0;
        }
        FUZZ_CHECK(profile);
        struct lp_policy *p = NULL;
        if (lp_policy_load_string_sealed(profile, "imported.profile", stderr, &p) < 0) {
                fprintf(stderr, "the imported profile does not load:\n%s\n", profile);
                abort();
        }
        FUZZ_CHECK(lp_export_oci(p, sink) == 0);
        FUZZ_CHECK(lp_export_systemd(p, sink) == 0);
        lp_policy_free(p);
        free(profile);
        return 0;
}
