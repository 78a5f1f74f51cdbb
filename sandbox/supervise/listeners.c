/* listeners.h: /proc/PID/net/tcp{,6} gives the listening sockets' inodes;
 * the ns/pid and fd links of every process under /proc tell whose they are. */
#include "supervise/listeners.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/util.h"

#define TCP_LISTEN 0x0A

/* The listening sockets on one port (SO_REUSEPORT allows many). */
struct inodes {
        unsigned long *v;
        size_t n, cap;
        bool lost; /* one could not be kept: the answer would be a guess */
};

static void listening_inodes(int pid, const char *table, uint16_t port, struct inodes *in)
{
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, table);
        FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f)) {
                unsigned local_port, state;
                unsigned long inode;
                /* sl local_address:port rem_address:port st tx:rx tr:when retrnsmt uid timeout
                 * inode */
                if (sscanf(line, " %*s %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %lu",
                           &local_port, &state, &inode) == 3 &&
                    state == TCP_LISTEN && local_port == port) {
                        if (LP_GROW(in->v, in->cap, in->n) < 0)
                                in->lost = true;
                        else
                                in->v[in->n++] = inode;
                }
        }
        if (f)
                fclose(f);
}

static bool holds_socket(const char *pid_dir, const struct inodes *in)
{
        char path[PATH_MAX], link[64];
        snprintf(path, sizeof(path), "/proc/%s/fd", pid_dir);
        DIR *d = opendir(path);
        struct dirent *e;
        bool found = false;
        while (d && !found && (e = readdir(d))) {
                char fd_path[PATH_MAX + 300];
                snprintf(fd_path, sizeof(fd_path), "%s/%s", path, e->d_name);
                ssize_t n = readlink(fd_path, link, sizeof(link) - 1);
                unsigned long inode;
                if (n <= 0)
                        continue;
                link[n] = '\0';
                if (sscanf(link, "socket:[%lu]", &inode) != 1)
                        continue;
                for (size_t i = 0; i < in->n && !found; i++)
                        found = in->v[i] == inode;
        }
        if (d)
                closedir(d);
        return found;
}

static bool same_pid_namespace(const char *pid_dir, const char *ns)
{
        char path[PATH_MAX], link[64];
        snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid_dir);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
                return false;
        link[n] = '\0';
        return strcmp(link, ns) == 0;
}

bool lp_listener_is_outside(int pid, uint16_t port)
{
        struct inodes in = {.n = 0};
        listening_inodes(pid, "tcp", port, &in);
        listening_inodes(pid, "tcp6", port, &in);
        char path[64], ns[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
        ssize_t n = readlink(path, ns, sizeof(ns) - 1);
        if (in.n == 0 || in.lost || n <= 0) {
                free(in.v);
                return false;
        }
        ns[n] = '\0';
        DIR *d = opendir("/proc");
        struct dirent *e;
        bool ours = false;
        while (d && !ours && (e = readdir(d)))
                ours = e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
                       same_pid_namespace(e->d_name, ns) && holds_socket(e->d_name, &in);
        if (d)
                closedir(d);
        free(in.v);
        return !ours;
}

bool lp_listener_exists(int pid, uint16_t port)
{
        struct inodes in = {.n = 0};
        listening_inodes(pid, "tcp", port, &in);
        listening_inodes(pid, "tcp6", port, &in);
        free(in.v);
        return in.n > 0 || in.lost;
}

/* A listening local address that loopback reaches: 127/8, 0.0.0.0, ::1,
 * ::, ::ffff:127/104 (as /proc/net/tcp{,6} print them: hex, in the
 * kernel's word order). */
static bool reachable_from_loopback(const char *hex)
{
        size_t len = strlen(hex);
        if (len == 8) /* IPv4, little-endian on the hosts we run on: 0100007F */
                return strcmp(hex, "00000000") == 0 || strncasecmp(hex + 6, "7F", 2) == 0;
        if (len != 32)
                return false;
        return strcmp(hex, "00000000000000000000000000000000") == 0 ||
               strcmp(hex, "00000000000000000000000001000000") == 0 ||
               (strncasecmp(hex, "0000000000000000FFFF0000", 24) == 0 &&
                strncasecmp(hex + 30, "7F", 2) == 0);
}

static int compare_ports(const void *a, const void *b)
{
        return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

int lp_listeners_host_loopback(uint16_t **ret)
{
        static const char *const tables[] = {"/proc/self/net/tcp", "/proc/self/net/tcp6"};
        uint16_t *ports = NULL;
        size_t n = 0, cap = 0;
        char line[512], addr[64];
        for (size_t t = 0; t < LP_ELEMENTSOF(tables); t++) {
                FILE *f = fopen(tables[t], "re");
                while (f && fgets(line, sizeof(line), f)) {
                        unsigned port, state;
                        if (sscanf(line, " %*s %63[0-9A-Fa-f]:%x %*s %x", addr, &port, &state) !=
                                    3 ||
                            state != TCP_LISTEN || !reachable_from_loopback(addr))
                                continue;
                        if (LP_GROW(ports, cap, n) < 0) {
                                fclose(f);
                                free(ports);
                                return -ENOMEM;
                        }
                        ports[n++] = (uint16_t)port;
                }
                if (f)
                        fclose(f);
        }
        if (n)
                qsort(ports, n, sizeof(*ports), compare_ports);
        size_t unique = 0;
        for (size_t i = 0; i < n; i++)
                if (!unique || ports[unique - 1] != ports[i])
                        ports[unique++] = ports[i];
        *ret = ports;
        return (int)unique;
}
