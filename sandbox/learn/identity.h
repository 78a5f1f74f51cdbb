/* Learning and the dynamic user ([Identity] DynamicUser=yes): `learn`
 * runs the command with the caller's identity (it changes nothing the
 * command sees), so whether the command also works as a uid of its own
 * is found out afterwards, by running it under the learned profile. */
#pragma once

struct lp_run_options;

/* When the learned profile at `output` asks for a dynamic user and we are
 * root: runs the command (`o`, enforcing) under it. Should it fail there
 * and pass with DynamicUser=no, that line is added to `output`, with a
 * comment that says why; otherwise the profile stays as it is. 0, or a
 * negative errno after logging (the profile is then as learned). */
int lp_learn_check_identity(const char *output, const struct lp_run_options *o);
