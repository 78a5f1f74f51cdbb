/* Learned paths that rotate (paths.h). */
#include "learn/paths.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static bool all_digits(const char *s)
{
        return *s && strspn(s, "0123456789") == strlen(s);
}

static bool mktemp_suffix(const char *s)
{
        bool digit = false, upper = false, lower = false;
        size_t n = 0;
        for (; s[n]; n++) {
                unsigned char c = (unsigned char)s[n];
                if (!isalnum(c))
                        return false;
                digit |= isdigit(c) != 0;
                upper |= isupper(c) != 0;
                lower |= islower(c) != 0;
        }
        return n >= 6 && digit && upper && lower;
}

bool lp_learn_generated_name(const char *name)
{
        const char *sep = strpbrk(name, "-_.");
        const char *last = NULL;
        for (; sep; sep = strpbrk(sep + 1, "-_."))
                last = sep;
        if (!last || last == name || !last[1])
                return false;
        return all_digits(last + 1) || mktemp_suffix(last + 1);
}

/* The length of the temporary or log directory `path` lies strictly
 * below, or 0. */
static size_t rotating_area(const char *path)
{
        static const char *const roots[] = {"/tmp", "/var/tmp", "/dev/shm"};
        static const char *const names[] = {"tmp", "temp", "log", "logs", "_logs"};
        const char *tmpdir = getenv("TMPDIR");
        size_t area = 0;
        for (size_t i = 0; i < LP_ELEMENTSOF(roots); i++) {
                size_t n = strlen(roots[i]);
                if (strncmp(path, roots[i], n) == 0 && path[n] == '/')
                        area = n > area ? n : area;
        }
        size_t t = tmpdir && tmpdir[0] == '/' ? strlen(tmpdir) : 0;
        while (t > 1 && tmpdir[t - 1] == '/')
                t--;
        if (t > 1 && strncmp(path, tmpdir, t) == 0 && path[t] == '/')
                area = t > area ? t : area;
        /* The last directory named like a log or temporary one. */
        for (const char *s = strchr(path, '/'); s && s[1]; s = strchr(s + 1, '/')) {
                const char *end = strchr(s + 1, '/');
                if (!end)
                        break;
                for (size_t i = 0; i < LP_ELEMENTSOF(names); i++)
                        if ((size_t)(end - s - 1) == strlen(names[i]) &&
                            strncmp(s + 1, names[i], strlen(names[i])) == 0 &&
                            (size_t)(end - path) > area)
                                area = (size_t)(end - path);
        }
        return area;
}

void lp_learn_generalise_path(char *path)
{
        size_t area = rotating_area(path);
        for (;;) {
                char *slash = strrchr(path, '/');
                if (!area || !slash || (size_t)(slash - path) < area ||
                    !lp_learn_generated_name(slash + 1))
                        return;
                *slash = '\0';
        }
}

/* The kernel's ephemeral range, or 32768-60999 (its default). */
static void ephemeral_range(unsigned *low, unsigned *high)
{
        *low = 32768;
        *high = 60999;
        char *text = NULL;
        if (lp_read_text("/proc/sys/net/ipv4/ip_local_port_range", &text) == 0 &&
            sscanf(text, "%u %u", low, high) != 2) {
                *low = 32768;
                *high = 60999;
        }
        free(text);
}

char *lp_learn_stable_destination(const char *target)
{
        const char *colon = strrchr(target, ':');
        char *end = NULL;
        unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
        bool tcp_loopback =
                strncmp(target, "tcp 127.", 8) == 0 || strncmp(target, "tcp [::1]", 9) == 0;
        if (!colon || !end || *end || colon[1] == '\0' || tcp_loopback)
                return strdup(target);
        /* Read only for a port that may be replaced: once per such finding. */
        unsigned low, high;
        ephemeral_range(&low, &high);
        if (port < low || port > high)
                return strdup(target);
        char *stable = NULL;
        if (asprintf(&stable, "%.*s:ephemeral", (int)(colon - target), target) < 0)
                return NULL;
        return stable;
}
