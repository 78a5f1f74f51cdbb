/* `leastpriv check --score`: how much a profile grants, as one exposure
 * from 0.0 to 10.0 in the manner of systemd-analyze security, with the
 * table of checks behind it (review/score_checks.h). */
#pragma once
#include <stdio.h>

struct lp_policy;

/* The exposure in tenths (0..100, printed 0.0..10.0): each check adds
 * weight * badness / range, rounded up, to a sum; the exposure is that
 * sum * 100 / the sum of the weights, rounded up. With `out` (may be
 * NULL), prints every check, the top contributors with the line that
 * grants each and the key to change, and the exposure with its level.
 * 0, -ENOMEM, or -EIO when out fails. */
int lp_policy_score(const struct lp_policy *p, FILE *out, unsigned *ret_exposure);

/* The level of an exposure in tenths: OK (0.0-0.9, no more than the
 * shipped default grants), MEDIUM (1.0-1.9: a grant or two beyond it, such
 * as the host's network), EXPOSED (2.0-3.9: what a sandbox is for is
 * partly given away: the host's files, the secrets, root's capabilities),
 * UNSAFE (4.0-10.0). The bands are leastpriv's: its exposures are lower
 * than systemd's, whose defaults grant everything. */
const char *lp_exposure_level(unsigned exposure);
