/* `leastpriv import --format oci`: an OCI/Docker seccomp profile (JSON)
 * read into a leastpriv profile. */
#pragma once
#include <stddef.h>
#include <stdio.h>

/* Turns the JSON `text` (len bytes; `file` names it in messages) into
 * profile text that includes `base` and adds [Syscalls] DefaultAction=,
 * Allow= and Deny= lines for the native architecture. What the profile
 * format cannot say becomes a comment saying what was left out and why:
 * a conditional allow is left out (narrower), as is a syscall both
 * allowed and refused under conditions (allowing it would be wider);
 * names that are no syscall here are "# unknown:" comments. On bad input
 * prints "FILE:LINE: message" (or "FILE: message") to `errors` and
 * returns -EINVAL; -ENOMEM. *ret_profile (the caller frees it) is set on
 * success only. */
int lp_import_oci(const char *text, size_t len, const char *file, FILE *errors, char **ret_profile);
