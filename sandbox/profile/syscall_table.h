/* The native architecture's syscalls, by number and by name: generated at
 * build time from the libseccomp leastpriv links (tools/gen/), so that a
 * profile is resolved with binary searches instead of a scan of
 * libseccomp's table for every number. */
#pragma once
#include <stddef.h>

struct lp_syscall_entry {
        int nr;
        const char *name;
};

/* Sorted by number, and the same entries sorted by name. */
extern const struct lp_syscall_entry lp_syscall_table[];
extern const struct lp_syscall_entry lp_syscall_table_by_name[];
extern const size_t lp_syscall_table_size;

/* The name of syscall `nr`, or NULL when this architecture has none. */
const char *lp_syscall_table_name(int nr);

/* The number of `name`, or -1 when it is not a syscall here. */
int lp_syscall_table_number(const char *name);
