/* What a SARIF rule says of each kind of finding (report_sarif.c): the
 * descriptions and help a viewer shows beside a result, where in the
 * README the kind is explained, and how code scanning should rank it
 * (properties.security-severity: 9 and above critical, 7 high, 4 medium,
 * below that low). This header includes no other leastpriv header. */
#pragma once

struct lp_sarif_kind {
        const char *full;     /* fullDescription */
        const char *help;     /* help: what to do about one */
        const char *anchor;   /* README section: helpUri is the home page's #anchor */
        const char *severity; /* properties.security-severity, as SARIF wants it: a string */
};

/* The entry of a finding kind (enum lp_finding_kind); never NULL. */
const struct lp_sarif_kind *lp_sarif_kind(int kind);
