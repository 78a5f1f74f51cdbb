/* A learned profile's text is checked before it is written: it must
 * resolve, grant exactly BASE, the floor and what was observed, and lift
 * no argument hardening the command did not need. Checked on the
 * resolved text, not assumed from how it was rendered. */
#pragma once

struct lp_policy;
struct lp_learned;

/* 0, or -EPROTO after logging what is wrong (nothing is written then). */
int lp_learn_verify(const char *text, const char *path, const struct lp_policy *base,
                    const struct lp_learned *l);
