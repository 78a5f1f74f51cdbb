/* Named syscall groups (@file-system, @mount, ...), in the spirit of
 * systemd's SystemCallFilter= groups: one const table, a help line each. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lp_syscall_group {
        const char *name;           /* "@file-system" */
        const char *help;           /* one line for `leastpriv syscalls` */
        bool dangerous;             /* a dangerous group (docs/architecture.md, "Profiles") */
        const char *const *members; /* NULL-terminated; names or "@group" */
};

/* Every group, terminated by an entry whose name is NULL. */
extern const struct lp_syscall_group lp_syscall_groups[];

/* Finds a group by name, with the leading '@'. NULL when unknown. */
const struct lp_syscall_group *lp_syscall_group_find(const char *name);

/* Calls fn once per syscall of the group on the native architecture, nested
 * groups expanded, names that do not exist on this architecture skipped.
 * Stops and returns fn's value when it is negative; 0 otherwise,
 * -ENOENT when the group is unknown. */
int lp_syscall_group_foreach(const char *name,
                             int (*fn)(const char *syscall, int nr, void *userdata),
                             void *userdata);

/* Above the highest syscall number of x86_64 and aarch64 (both < 470 in
 * Linux 6.x); numbers are dense there, so flat arrays indexed by nr work. */
#define LP_SYSCALL_MAX_NR 600

/* The native-architecture number of a syscall name; negative when the name
 * is not a syscall of this architecture. */
int lp_syscall_nr(const char *name);

/* Whether `name` is a syscall of some architecture libseccomp knows (for
 * "does not exist on this architecture" rather than "unknown"). */
bool lp_syscall_known_elsewhere(const char *name);

/* The native syscall closest to a misspelt `name`, or NULL. The string
 * is a copy, freed with free(). */
char *lp_syscall_suggest(const char *name);

/* Lists every group, one line each: name, help, "(dangerous)" where it is.
 * 0, or -EIO when out fails. */
int lp_syscall_groups_print(FILE *out);

/* Prints "# @name: help", then the group's syscalls on the native
 * architecture one per line, sorted, nested groups expanded.
 * 0, -ENOENT when the group is unknown, -EIO when out fails. */
int lp_syscall_group_print(FILE *out, const char *name);
