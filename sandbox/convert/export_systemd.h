/* `leastpriv export --format systemd`: the profile as the directives of a
 * systemd service's [Service] section (systemd.exec(5),
 * systemd.resource-control(5)). */
#pragma once
#include <stdio.h>

struct lp_policy;

/* Writes one directive per profile key of the same meaning, and a comment
 * for each rule systemd cannot state (the netlink protocol of
 * AddressFamilies=, ioctl's hardening, paths relative to where `run`
 * starts). 0, or -ENOMEM, -EIO. */
int lp_export_systemd(const struct lp_policy *p, FILE *out);
