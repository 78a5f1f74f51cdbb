/* Lookups in the generated syscall table (syscall_table.h). */
#include "profile/syscall_table.h"

#include <stdlib.h>
#include <string.h>

static int by_number(const void *key, const void *entry)
{
        int nr = *(const int *)key, other = ((const struct lp_syscall_entry *)entry)->nr;
        return (nr > other) - (nr < other);
}

static int by_name(const void *key, const void *entry)
{
        return strcmp(key, ((const struct lp_syscall_entry *)entry)->name);
}

const char *lp_syscall_table_name(int nr)
{
        const struct lp_syscall_entry *e =
                bsearch(&nr, lp_syscall_table, lp_syscall_table_size, sizeof(*e), by_number);
        return e ? e->name : NULL;
}

int lp_syscall_table_number(const char *name)
{
        const struct lp_syscall_entry *e =
                bsearch(name, lp_syscall_table_by_name, lp_syscall_table_size, sizeof(*e), by_name);
        return e ? e->nr : -1;
}
