/* The command's environment per [Environment]. */
#pragma once

struct lp_policy;
struct lp_findings;

/* In the parent: builds the command's environment from `env` (Clear=,
 * Withhold=/Pass= globs, then Set=) and records each withheld variable as
 * an environment finding in `store` (may be NULL). *ret is a
 * NULL-terminated array freed with lp_env_free. */
int lp_env_build(const struct lp_policy *p, char *const *env, struct lp_findings *store,
                 char ***ret);
void lp_env_free(char **env);

/* Sets NAME to value where a built environment has it (and only there). */
int lp_env_replace(char **env, const char *name, const char *value);

/* The value of NAME in a built environment, or NULL. */
const char *lp_env_get(char *const *env, const char *name);
