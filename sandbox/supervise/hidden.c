#include "supervise/hidden.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/close_later.h"
#include "base/util.h"
#include "rules/checks.h"
#include "rules/fs_plan.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

struct lp_hidden {
        int fd;
        struct lp_hidden_target *targets;
        size_t n;
};

int lp_hidden_new(struct lp_hidden **ret)
{
        /* FAN_CLASS_CONTENT: permission events; FAN_NONBLOCK: the poll
         * loop reads what is there and goes back to poll. */
        int fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
                               O_RDONLY | O_CLOEXEC | O_LARGEFILE);
        if (fd < 0)
                return -errno;
        struct lp_hidden *h = calloc(1, sizeof(*h));
        if (!h) {
                close(fd);
                return -ENOMEM;
        }
        h->fd = fd;
        *ret = h;
        return 0;
}

int lp_hidden_watch(struct lp_hidden *h, int store_fd, const struct lp_hidden_target *targets,
                    size_t n)
{
        h->targets = malloc((n ? n : 1) * sizeof(*targets));
        if (!h->targets)
                return -ENOMEM;
        memcpy(h->targets, targets, n * sizeof(*targets));
        h->n = n;
        uint64_t mask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_ONDIR;
        /* fanotify_mark() takes no O_PATH descriptor, which a mount's is. */
        int dir = openat(store_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        int r = fanotify_mark(h->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, dir, NULL);
        r = r < 0 ? -errno : 0;
        close(dir);
        return r;
}

int lp_hidden_fd(const struct lp_hidden *h)
{
        return h ? h->fd : -1;
}

static const struct lp_fs_rule *rule_of(const struct lp_hidden *h, int fd)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return NULL;
        for (size_t i = 0; i < h->n; i++)
                if (h->targets[i].ino == st.st_ino)
                        return h->targets[i].rule;
        return NULL;
}

static void answer(int fanotify_fd, int event_fd, uint32_t response)
{
        struct fanotify_response r = {.fd = event_fd, .response = response};
        (void)!write(fanotify_fd, &r, sizeof(r));
}

/* Where refused opens are recorded; NULL at the end, when they are only
 * refused. */
struct recording {
        const struct lp_policy *policy;
        struct lp_findings *store;
        uint64_t start_ms;
};

static int record(const struct lp_hidden *h, const struct fanotify_event_metadata *e,
                  const char *exe, const struct recording *rec)
{
        const struct lp_fs_rule *rule = rule_of(h, e->fd);
        if (!rule)
                return 0; /* the store's root: not a hidden path */
        struct lp_decider d = {.policy = rec->policy};
        struct lp_verdict v = {.answer = LP_ANSWER_ERRNO, .error = EPERM};
        const char *op = (e->mask & FAN_OPEN_EXEC_PERM) ? "exec" : "open";
        lp_check_fs_refusal(&d, &v, rule, op, rule->path, rule->path);
        /* fanotify refuses with EPERM, not the EACCES of the inode's mode. */
        if (v.n_findings)
                v.findings[0].errno_value = EPERM;
        return lp_record_verdict(rec->store, &v, 1, e->pid, exe, lp_now_ms() - rec->start_ms);
}

/* Refuses every open that waits, recording each where rec says. 0, or the
 * first error. */
static int drain(struct lp_hidden *h, const struct recording *rec)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
        int r = 0;
        for (;;) {
                ssize_t n = read(h->fd, buf, sizeof(buf));
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR || r < 0 ? r : -errno;
                if (n == 0)
                        return r;
                const struct fanotify_event_metadata *e = (const void *)buf;
                for (; FAN_EVENT_OK(e, n); e = FAN_EVENT_NEXT(e, n)) {
                        if (e->fd < 0)
                                continue;
                        /* Named while the opener still waits: once
                         * answered, it may exit. */
                        char exe[256] = "";
                        if (rec)
                                lp_tracee_exe(e->pid, exe, sizeof(exe));
                        if (e->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM))
                                answer(h->fd, e->fd, FAN_DENY);
                        int q = rec ? record(h, e, exe, rec) : 0;
                        r = r < 0 ? r : q;
                        close(e->fd);
                }
        }
}

int lp_hidden_handle(struct lp_hidden *h, const struct lp_policy *p, struct lp_findings *store,
                     uint64_t start_ms)
{
        struct recording rec = {p, store, start_ms};
        return drain(h, &rec);
}

void lp_hidden_free(struct lp_hidden *h)
{
        if (!h)
                return;
        /* Closing the group would allow what still waits: refuse it. */
        drain(h, NULL);
        /* Its last close destroys its mark, and that waits for an SRCU
         * grace period (fsnotify_destroy_group): 0.2 ms on an idle kernel,
         * 4-20 ms measured after a run in about half of the runs. By now
         * every process of the sandbox is gone (the group only refuses). */
        lp_close_later(&h->fd, 1);
        free(h->targets);
        free(h);
}
