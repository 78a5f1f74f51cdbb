/* learn --merge: reads back a profile that learn.c wrote, into the same
 * model, so that this run's grants are added to it. Only the lines learn
 * writes are understood; a hand-edited line is an error rather than
 * something silently dropped from the merged file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learned.h"
#include "base/util.h"

int lp_learned_parse_evidence(const char *text, uint64_t *ret_count, char **ret_exe)
{
        static const struct {
                const char *text;
                uint64_t count;
        } classes[] = {{"1 call, first by ", 1}, {"2-99 calls, first by ", 2},
                       {"100 or more calls, first by ", 100}};
        size_t used = 0;
        uint64_t count = 0;
        for (size_t i = 0; i < LP_ELEMENTSOF(classes) && !used; i++)
                if (strncmp(text, classes[i].text, strlen(classes[i].text)) == 0) {
                        used = strlen(classes[i].text);
                        count = classes[i].count;
                }
        if (!used)
                return -EINVAL;
        const char *exe = text + used;
        const char *note = strstr(exe, " (");
        size_t len = note ? (size_t)(note - exe) : strcspn(exe, "\n");
        if (len == 1 && exe[0] == '?')
                len = 0;
        char *copy = strndup(exe, len);
        if (!copy)
                return -ENOMEM;
        *ret_count = count;
        *ret_exe = copy;
        return 0;
}

struct reader {
        struct lp_learned *l;
        const char *path;
        unsigned line;
        const char *include;
        char section[32];
};

static int bad_line(const struct reader *rd, const char *what)
{
        fprintf(stderr, "%s:%u: %s; learn --merge only reads what learn wrote (learn into a "
                "new file, or merge by hand)\n", rd->path, rd->line, what);
        return -EINVAL;
}

/* "VALUE # EVIDENCE" -> an item of `kind`. */
static int add_with_evidence(struct reader *rd, enum lp_learned_kind kind, char *rest)
{
        char *hash = strstr(rest, " # ");
        if (!hash)
                return bad_line(rd, "a learned line without its evidence comment");
        *hash = '\0';
        uint64_t count;
        char *exe = NULL;
        int r = lp_learned_parse_evidence(hash + 3, &count, &exe);
        if (r < 0)
                return r == -EINVAL ? bad_line(rd, "evidence not in the form learn writes") : r;
        bool by_name = strstr(hash + 3, "(by name") != NULL;
        r = lp_learned_add(rd->l, kind, rest, count, exe, by_name, true);
        free(exe);
        return r;
}

static bool starts(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int read_comment(struct reader *rd, char *text)
{
        if (starts(text, "# used: "))
                return add_with_evidence(rd, LP_LEARNED_SYSCALL, text + 8);
        if (starts(text, "# destination: "))
                return add_with_evidence(rd, LP_LEARNED_DESTINATION, text + 15);
        if (starts(text, "# withheld: "))
                return lp_learned_add(rd->l, LP_LEARNED_ENVIRONMENT, text + 12, 0, "", false, true);
        return 0; /* prose */
}

static int read_syscalls_line(struct reader *rd, char *text)
{
        if (starts(text, "Allow=@") || starts(text, "Deny="))
                return 0; /* a group grant: rendered again from its syscall */
        if (!starts(text, "Allow="))
                return bad_line(rd, "not a line learn writes in [Syscalls]");
        size_t len = strlen(text);
        if (len > 8 && strcmp(text + len - 8, " # floor") == 0) {
                rd->l->floor = true; /* the floor line, rendered again */
                return 0;
        }
        return add_with_evidence(rd, LP_LEARNED_SYSCALL, text + 6);
}

static int read_setting(struct reader *rd, char *text)
{
        if (!strcmp(rd->section, "Profile")) {
                if (starts(text, "Description="))
                        return 0;
                if (starts(text, "Include=") && !strcmp(text + 8, rd->include))
                        return 0;
                return bad_line(rd, starts(text, "Include=") ? "learned from another base "
                                "profile than -p names" : "not a line learn writes in [Profile]");
        }
        if (!strcmp(rd->section, "Syscalls"))
                return read_syscalls_line(rd, text);
        if (!strcmp(rd->section, "Capabilities") && starts(text, "Keep="))
                return add_with_evidence(rd, LP_LEARNED_CAPABILITY, text + 5);
        if (!strcmp(rd->section, "Network") && starts(text, "AddressFamilies="))
                return add_with_evidence(rd, LP_LEARNED_FAMILY, text + 16);
        if (!strcmp(rd->section, "Network") && starts(text, "Namespace="))
                return 0; /* follows from the destinations */
        return bad_line(rd, "not a line learn writes");
}

static int read_line(struct reader *rd, char *text)
{
        text[strcspn(text, "\n")] = '\0';
        if (text[0] == '\0')
                return 0;
        if (text[0] == '#')
                return read_comment(rd, text);
        if (text[0] == '[') {
                if (sscanf(text, "[%31[A-Za-z]]", rd->section) != 1)
                        return bad_line(rd, "not a section header");
                return 0;
        }
        return read_setting(rd, text);
}

int lp_learned_read(struct lp_learned *l, const char *path, const char *include)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        struct reader rd = {.l = l, .path = path, .include = include};
        char *buf = NULL;
        size_t size = 0;
        int r = 0;
        while (r >= 0 && getline(&buf, &size, f) > 0) {
                rd.line++;
                r = read_line(&rd, buf);
        }
        if (r >= 0 && ferror(f))
                r = -EIO;
        free(buf);
        fclose(f);
        return r;
}
