/* One notified syscall, decoded: what the policy says of it, what the
 * watch table says of it, and what it tried (its target and, for calls
 * that send or connect, its addresses). Built by the supervisor from a
 * notification (supervise/notify.c) or by a test from a buffer. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/decode.h"

struct lp_policy;
struct lp_syscall_rule;
struct lp_watch;

/* Addresses of a sendmmsg beyond this many are not read: the kernel stops
 * a sendmmsg at its first failing message, and the supervisor reports the
 * first outside one (UIO_MAXIOV, the kernel's own bound on vlen). */
#define LP_CALL_MAX_ADDRESSES 1024

struct lp_watch_path;

/* A path the call writes (watch.h), read from memory. */
struct lp_call_path {
        const struct lp_watch_path *how;
        int dirfd;    /* the directory it is relative to; AT_FDCWD: the cwd */
        bool follow;  /* a last symlink is followed */
        bool writes;  /* an open that only reads is no write */
        bool creates; /* an open with O_CREAT (or creat): a missing file is made */
        /* A new name or nothing (mkdir, link, symlink, mknod, O_CREAT|O_EXCL):
         * where the name exists the kernel answers EEXIST before EROFS. */
        bool exclusive;
        bool readable; /* the path could be read from the tracee */
        char path[LP_PATH_SIZE];
};

struct lp_call {
        int pid;                                  /* the thread, as the supervisor sees it */
        int nr;                                   /* as notified */
        bool foreign_abi;                         /* x32 (or another ABI): killed */
        const char *name;                         /* libseccomp's name, or "syscall_N" */
        char unnamed[32];                         /* storage of "syscall_N" */
        const struct lp_syscall_rule *rule;       /* NULL: not a native syscall */
        const struct lp_watch *watch;             /* NULL: not in the watch table */
        const struct lp_syscall_rule *watch_rule; /* the rule `watch` was found for */
        uint64_t args[6];
        struct lp_decoded decoded;
        /* connect, bind, sendto, sendmsg, sendmmsg: where to, in order. */
        struct lp_sockaddr_info *addresses;
        size_t n_addresses, cap_addresses;
        const char *proto; /* "tcp", "udp", "raw", "unix", "" */
        /* setrlimit, prlimit64: the limits asked for (watch.h). */
        struct {
                bool read; /* a new limit was given and could be read */
                int resource;
                uint64_t soft, hard;
        } rlimit;
        /* The paths it writes, for the filesystem check. */
        struct lp_call_path paths[2];
        size_t n_paths;
};

/* Fills c from a notification: the rule of p for nr, the watch entry, the
 * target (through the entry's decoder, or the generic one) and the
 * addresses. c->addresses is reused from call to call (and c with one
 * policy: its watch entry is kept per rule); free it with lp_call_done. 0, or -ENOMEM (the call is
 * still described, without all of its addresses). */
int lp_call_decode(struct lp_call *c, const struct lp_policy *p, const struct lp_decode_reader *rd,
                   int pid, int nr, const uint64_t args[6]);

/* The target alone, for a syscall named `name` (fuzzers, tests). */
void lp_call_describe(const struct lp_decode_reader *rd, const char *name, const uint64_t args[6],
                      struct lp_decoded *d);

/* A call of another ABI than the native one (i386 through int 0x80, x32):
 * nothing of it is decoded but its name in that ABI (`name`, NULL when
 * libseccomp has none), for the kill and its finding. */
void lp_call_foreign(struct lp_call *c, int pid, int nr, const char *abi, const char *name);

void lp_call_done(struct lp_call *c);
