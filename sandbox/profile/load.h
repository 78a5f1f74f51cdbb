/* Profile text, by name, path or string -> a resolved policy (policy.h):
 * includes expanded, every key applied through the key table (keys.h),
 * groups resolved, every name checked. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lp_policy;

/* Loads a profile by name or path and resolves it. On error prints
 * "FILE:LINE: message" lines to `errors` (may be NULL) and returns -EINVAL
 * (or -errno for I/O); *ret is untouched on failure. Free the policy with
 * lp_policy_free. */
int lp_policy_load(const char *name_or_path, FILE *errors, struct lp_policy **ret);

/* Whether `file` (an origin's) is one of the profiles leastpriv ships:
 * embedded, or an installed copy with the same text. */
bool lp_profile_is_shipped(const char *file);

/* A profile's name in a file name: what follows the last '/', without
 * ".profile" (ret_name points into file; the name's length is returned). */
size_t lp_profile_name(const char *file, const char **ret_name);

/* Same from text (unit tests, embedded profiles); `file` names it in errors. */
int lp_policy_load_string(const char *text, const char *file, FILE *errors, struct lp_policy **ret);

/* Same, but sealed from the file system: Include= resolves only to the
 * embedded profiles (any other name or path is an error, and nothing is
 * opened). For text nobody vouches for, such as a fuzzer's. */
int lp_policy_load_string_sealed(const char *text, const char *file, FILE *errors,
                                 struct lp_policy **ret);

/* The install's share/leastpriv/profiles, found from the running binary
 * (/proc/self/exe/../share/leastpriv/profiles for a bin/ install), into
 * buf; the configure-time path when /proc cannot say. */
void lp_profile_installed_dir(char *buf, size_t size);
