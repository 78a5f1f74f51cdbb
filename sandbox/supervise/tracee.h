/* The live side of the decoder's reader seam (rules/decode.h): a tracee's
 * memory through process_vm_readv, checked against the notification's
 * validity after each read so that a pid reused meanwhile cannot lend us
 * another process's memory; its sockets through pidfd_getfd. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "rules/decode.h"

struct lp_tracee {
        int pid;
        int listener; /* for SECCOMP_IOCTL_NOTIF_ID_VALID; -1: never checked */
        uint64_t id;  /* the notification's cookie */
        /* The reader's answer for the socket proto_fd, NULL until asked. */
        const char *proto;
        int proto_fd;
};

/* A reader over t (borrowed for the reader's lifetime). */
struct lp_decode_reader lp_tracee_reader(const struct lp_tracee *t);

/* "tcp" / "udp" / "raw" for the socket fd of the tracee, "inet" when it
 * cannot be told. */
const char *lp_tracee_socket_proto(const struct lp_tracee *t, int fd);

/* The executable of pid ("/usr/bin/gdb") into buf, or "" when gone. */
void lp_tracee_exe(int pid, char *buf, size_t size);
