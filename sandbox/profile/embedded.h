/* The profiles compiled into the binary from profiles/NAME.profile. */
#pragma once

struct lp_embedded_profile {
        const char *name; /* file name without ".profile" */
        const char *text; /* NUL-terminated profile text */
};

/* Terminated by an entry whose name is NULL. Generated at build time. */
extern const struct lp_embedded_profile lp_embedded_profiles[];
