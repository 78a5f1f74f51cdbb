#include "supervise/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "supervise/listeners.h"

/* Up to three numbers after `key` ("Tgid:", "Uid:") in /proc/PID/status;
 * returns how many were read, 0 when the process is gone. */
static int status_field(int pid, const char *key, unsigned vals[3])
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        int found = 0;
        size_t len = strlen(key);
        while (f && !found && fgets(line, sizeof(line), f))
                if (strncmp(line, key, len) == 0)
                        found = sscanf(line + len, "%u %u %u", &vals[0], &vals[1], &vals[2]);
        if (f)
                fclose(f);
        return found < 0 ? 0 : found;
}

int lp_proc_thread_group(int tid)
{
        unsigned v[3];
        return status_field(tid, "Tgid:", v) >= 1 ? (int)v[0] : tid;
}

static int proc_ids(const void *ctx, int pid, char which, unsigned ret[3])
{
        return status_field(pid, which == 'u' ? "Uid:" : "Gid:", ret) == 3 ? 0 : -ESRCH;
}

/* A /proc scan each: answered once per port and remembered. */
static bool proc_listener_outside(const void *ctx, int pid, uint16_t port)
{
        struct lp_proc *proc = (struct lp_proc *)ctx;
        for (size_t i = 0; i < proc->n_ports; i++)
                if (proc->ports[i].port == port)
                        return proc->ports[i].outside;
        bool outside = lp_listener_is_outside(pid, port);
        /* Without memory for the answer, it is asked again next time. */
        if (LP_GROW(proc->ports, proc->cap_ports, proc->n_ports) >= 0)
                proc->ports[proc->n_ports++] = (struct lp_port_owner){port, outside};
        return outside;
}

struct lp_proc_reader lp_proc_reader(struct lp_proc *proc)
{
        return (struct lp_proc_reader){proc_ids, proc_listener_outside, proc};
}

void lp_proc_done(struct lp_proc *proc)
{
        free(proc->ports);
        *proc = (struct lp_proc){0};
}
