#include "learn/merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "learn/families.h"
#include "learn/floor.h"
#include "learn/learned.h"
#include "profile/keys.h"

struct reader {
        struct lp_learned *l;
        const char *path;
        unsigned line;
        const char *include;
        char section[32];
};

static int bad_line(const struct reader *rd, const char *what)
{
        fprintf(stderr,
                "%s:%u: %s; learn --merge only reads what learn wrote (learn into a "
                "new file, or merge by hand)\n",
                rd->path, rd->line, what);
        return -EINVAL;
}

/* "VALUE # EVIDENCE" -> an item. */
static int add_with_evidence(struct reader *rd, enum lp_learned_kind kind, const struct lp_key *key,
                             char *rest)
{
        char *hash = strstr(rest, " # ");
        if (!hash)
                return bad_line(rd, "a learned line without its evidence comment");
        *hash = '\0';
        struct lp_learned_item it = {.kind = kind, .key = key, .value = rest};
        int r = lp_learned_parse_evidence(hash + 3, &it.count, &it.exe);
        if (r < 0)
                return r == -EINVAL ? bad_line(rd, "evidence not in the form learn writes") : r;
        it.by_name = strstr(hash + 3, "(by name") != NULL;
        r = lp_learned_add(rd->l, &it, true);
        free(it.exe);
        return r;
}

static bool starts(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int read_comment(struct reader *rd, char *text)
{
        if (starts(text, "# used: "))
                return add_with_evidence(rd, LP_LEARNED_GRANT, lp_key_find("Syscalls", "Allow"),
                                         text + 8);
        if (starts(text, "# destination: "))
                return add_with_evidence(rd, LP_LEARNED_DESTINATION, NULL, text + 15);
        if (starts(text, "# refused: "))
                return add_with_evidence(rd, LP_LEARNED_FS_NOTE, NULL, text + 11);
        if (starts(text, "# withheld: ")) {
                struct lp_learned_item it = {.kind = LP_LEARNED_WITHHELD, .value = text + 12};
                return lp_learned_add(rd->l, &it, true);
        }
        return 0; /* prose */
}

/* What learn writes besides "Key=VALUE # evidence": rendered again from
 * the items, so skipped here. */
static int read_derived_line(struct reader *rd, const char *text, bool *done)
{
        *done = true;
        if (!strcmp(rd->section, "Profile")) {
                if (starts(text, "Description="))
                        return 0;
                if (starts(text, "Include=") && !strcmp(text + 8, rd->include))
                        return 0;
                return bad_line(rd, starts(text, "Include=") ? "learned from another base "
                                                               "profile than -p names"
                                                             : "not a line learn writes in "
                                                               "[Profile]");
        }
        if (!strcmp(rd->section, "Syscalls") && (starts(text, "Allow=@") || starts(text, "Deny=")))
                return 0; /* a group grant: from its syscall's "# used:" line */
        size_t len = strlen(text);
        if (!strcmp(rd->section, "Syscalls") && len > 8 && !strcmp(text + len - 8, " # floor")) {
                rd->l->floor = true;
                return 0;
        }
        size_t with = strlen(LP_LEARN_WITH_CLONE);
        if (!strcmp(rd->section, "Syscalls") && len > with &&
            !strcmp(text + len - with, LP_LEARN_WITH_CLONE))
                return 0; /* fork and vfork: from clone's line */
        size_t family = strlen(LP_LEARN_FAMILY_SUFFIX);
        if (!strcmp(rd->section, "Syscalls") && len > family && strstr(text, " # with ") &&
            !strcmp(text + len - family, LP_LEARN_FAMILY_SUFFIX))
                return 0; /* a family's members: from its used member's line */
        if (!strcmp(rd->section, "Network") &&
            (starts(text, "Namespace=") || starts(text, "Forward=")))
                return 0; /* follows from the destinations */
        if (!strcmp(rd->section, "Identity") && !strcmp(text, "DynamicUser=no"))
                return 0; /* tried again after this learn (learn/identity.h) */
        *done = false;
        return 0;
}

static int read_setting(struct reader *rd, char *text)
{
        bool done;
        int r = read_derived_line(rd, text, &done);
        if (done)
                return r;
        char *eq = strchr(text, '=');
        if (!eq)
                return bad_line(rd, "not a line learn writes");
        *eq = '\0';
        const struct lp_key *key = lp_key_find(rd->section, text);
        if (!key || !key->learned)
                return bad_line(rd, "not a line learn writes");
        return add_with_evidence(rd, LP_LEARNED_GRANT, key, eq + 1);
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
