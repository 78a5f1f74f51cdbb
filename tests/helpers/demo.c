/* The README's demo: a "test" that quietly reaches for privileges it should
 * not need. Under `leastpriv run` each attempt is refused and reported as a
 * finding. Meant to run under leastpriv only: bare, as root, it would
 * really mount a tmpfs, create (and remove) a file in /etc and try the
 * outside network. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

static void report(const char *what, int ok)
{
        printf("demo: %-44s %s\n", what, ok ? "ok" : strerror(errno));
}

int main(void)
{
        const char *token = getenv("GITHUB_TOKEN");
        printf("demo: %-44s %s\n", "read GITHUB_TOKEN",
               token ? "visible (a secret leaked)" : "absent");
        report("ptrace(PTRACE_TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
        /* A new file of its own in /etc, removed at once where it could
         * be made (bare); and a read of /etc/shadow, whose content is
         * never printed. */
        int fd = open("/etc/leastpriv-demo", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        report("create /etc/leastpriv-demo", fd >= 0);
        if (fd >= 0) {
                close(fd);
                unlink("/etc/leastpriv-demo");
        }
        fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
        report("open /etc/shadow", fd >= 0);
        if (fd >= 0)
                close(fd);
        int mounted = mount("demo", "/mnt", "tmpfs", MS_RDONLY, NULL) == 0;
        report("mount a tmpfs on /mnt", mounted);
        if (mounted)
                umount("/mnt");
        /* 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed anywhere. Under
         * leastpriv the attempt stays inside a namespace with only lo. */
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(443)};
        inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
        report("connect to 192.0.2.1:443", s >= 0 && connect(s, (void *)&a, sizeof(a)) == 0);
        return 0;
}
