/* `leastpriv import --format oci` (import_oci.h). */
#include "convert/import_oci.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "profile/syscall_table.h"

/* What the applicable entries say of one native syscall. */
struct verdict {
        bool allowed; /* an unconditional allow */
        bool refused; /* an unconditional errno or kill */
        struct lp_action refusal;
        bool allowed_if;        /* an allow under argument conditions */
        bool refused_if;        /* a refusal under argument conditions */
        char *conditions;       /* the first allow's conditions, as text */
        unsigned n_conditional; /* allows under conditions: alternatives */
};

struct import {
        const char *file;
        FILE *errors;
        struct lp_action default_action;
        struct verdict *verdicts; /* by index in lp_syscall_table_by_name */
        char **notes;             /* comment lines, sorted and made unique at the end */
        size_t n_notes, notes_capacity;
        bool failed;
};

static void error(struct import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void error(struct import *im, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (im->errors) {
                fprintf(im->errors, "%s: ", im->file);
                vfprintf(im->errors, fmt, ap);
                fputc('\n', im->errors);
        }
        va_end(ap);
        im->failed = true;
}

/* Text from the input in a comment: printable ASCII only (a newline would
 * end the comment), and not too long. */
static void sanitize(char *s)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (s[n] < 0x20 || s[n] > 0x7e)
                        s[n] = '?';
        if (n > 160)
                memcpy(s + 157, "...", 4);
}

static void note(struct import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct import *im, const char *fmt, ...)
{
        char *line = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0 || LP_GROW(im->notes, im->notes_capacity, im->n_notes) < 0) {
                if (r >= 0)
                        free(line);
                error(im, "out of memory");
                return;
        }
        sanitize(line);
        im->notes[im->n_notes++] = line;
}

static int compare_entry_names(const void *key, const void *entry)
{
        return strcmp(key, ((const struct lp_syscall_entry *)entry)->name);
}

/* The syscall's verdict, or NULL when it is no syscall here. */
static struct verdict *verdict_of(struct import *im, const char *name)
{
        const struct lp_syscall_entry *e =
                bsearch(name, lp_syscall_table_by_name, lp_syscall_table_size,
                        sizeof(*lp_syscall_table_by_name), compare_entry_names);
        return e ? &im->verdicts[e - lp_syscall_table_by_name] : NULL;
}

/* ---- the JSON ---- */

static const char *string_of(struct json_object *o)
{
        return json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

static struct json_object *member(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The native architecture as OCI's "includes"/"excludes" name it (Go's
 * GOARCH), and as libseccomp does. */
static bool names_native_arch(const char *arch)
{
        static const struct {
                uint32_t arch;
                const char *go, *scmp;
        } arches[] = {
                {SCMP_ARCH_X86_64, "amd64", "SCMP_ARCH_X86_64"},
                {SCMP_ARCH_AARCH64, "arm64", "SCMP_ARCH_AARCH64"},
                {SCMP_ARCH_X86, "386", "SCMP_ARCH_X86"},
                {SCMP_ARCH_ARM, "arm", "SCMP_ARCH_ARM"},
                {SCMP_ARCH_RISCV64, "riscv64", "SCMP_ARCH_RISCV64"},
                {SCMP_ARCH_PPC64LE, "ppc64le", "SCMP_ARCH_PPC64LE"},
                {SCMP_ARCH_S390X, "s390x", "SCMP_ARCH_S390X"},
        };
        uint32_t native = seccomp_arch_native();
        for (size_t i = 0; i < LP_ELEMENTSOF(arches); i++)
                if (arches[i].arch == native &&
                    (strcmp(arch, arches[i].go) == 0 || strcmp(arch, arches[i].scmp) == 0))
                        return true;
        return false;
}

static bool lists_native(struct json_object *arches)
{
        size_t n =
                json_object_is_type(arches, json_type_array) ? json_object_array_length(arches) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *a = string_of(json_object_array_get_idx(arches, i));
                if (a && names_native_arch(a))
                        return true;
        }
        return false;
}

static size_t length_of(struct json_object *array)
{
        return json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
}

/* Whether entry `i` concerns this architecture and a process with no
 * capability (base keeps none); notes what an entry gated by a
 * capability would have allowed. */
static bool applies(struct import *im, struct json_object *entry, const char *names_text)
{
        struct json_object *inc = member(entry, "includes"), *exc = member(entry, "excludes");
        struct json_object *inc_arches = inc ? member(inc, "arches") : NULL;
        if (length_of(inc_arches) > 0 && !lists_native(inc_arches))
                return false;
        if (exc && lists_native(member(exc, "arches")))
                return false;
        struct json_object *caps = inc ? member(inc, "caps") : NULL;
        if (length_of(caps) == 0)
                return true;
        const char *action = string_of(member(entry, "action"));
        if (action && strcmp(action, "SCMP_ACT_ALLOW") == 0)
                note(im, "# left out: %s: allowed only with %s (base keeps no capability)",
                     names_text, string_of(json_object_array_get_idx(caps, 0)) ?: "a capability");
        return false;
}

/* "args[0] & 0x7e020000 == 0 && args[2] == 9": what the conditions say. */
static void describe_args(struct json_object *args, char *buf, size_t size)
{
        static const struct {
                const char *op, *text;
        } ops[] = {{"SCMP_CMP_NE", "!="}, {"SCMP_CMP_LT", "<"},  {"SCMP_CMP_LE", "<="},
                   {"SCMP_CMP_EQ", "=="}, {"SCMP_CMP_GE", ">="}, {"SCMP_CMP_GT", ">"}};
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < length_of(args) && used < size; i++) {
                struct json_object *a = json_object_array_get_idx(args, i);
                const char *op = string_of(member(a, "op")) ?: "?";
                uint64_t value = json_object_get_uint64(member(a, "value"));
                uint64_t two = json_object_get_uint64(member(a, "valueTwo"));
                int index = json_object_get_int(member(a, "index"));
                const char *sep = i ? " && " : "";
                int n;
                if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0)
                        n = snprintf(buf + used, size - used,
                                     "%sargs[%d] & %#" PRIx64 " == %#" PRIx64, sep, index, value,
                                     two);
                else {
                        const char *text = op;
                        for (size_t k = 0; k < LP_ELEMENTSOF(ops); k++)
                                if (strcmp(op, ops[k].op) == 0)
                                        text = ops[k].text;
                        n = snprintf(buf + used, size - used, "%sargs[%d] %s %#" PRIx64, sep, index,
                                     text, value);
                }
                used += n > 0 ? (size_t)n : 0;
        }
}

/* An entry's action: 1 for allow, 0 for a refusal in *ret, -1 for an
 * action leastpriv has no equivalent of (noted), -2 for no action. */
static int entry_action(struct import *im, struct json_object *entry, const char *names_text,
                        struct lp_action *ret)
{
        const char *action = string_of(member(entry, "action"));
        if (!action)
                return -2;
        if (strcmp(action, "SCMP_ACT_ALLOW") == 0)
                return 1;
        if (strncmp(action, "SCMP_ACT_KILL", 13) == 0) {
                *ret = (struct lp_action){LP_ACTION_KILL, 0};
                return 0;
        }
        struct json_object *ret_errno = member(entry, "errnoRet");
        int e = ret_errno ? json_object_get_int(ret_errno) : EPERM;
        if (strcmp(action, "SCMP_ACT_ERRNO") == 0 && lp_errno_name(e)) {
                *ret = (struct lp_action){LP_ACTION_ERRNO, e};
                return 0;
        }
        note(im, "# left out: %s: action %s%s has no leastpriv equivalent (DefaultAction= decides)",
             names_text, action,
             strcmp(action, "SCMP_ACT_ERRNO") == 0 ? " (an unknown errno)" : "");
        return -1;
}

static void record(struct import *im, struct verdict *v, int kind, bool conditional,
                   struct lp_action refusal)
{
        if (kind == 1 && conditional) {
                v->allowed_if = true;
                v->n_conditional++;
        } else if (kind == 1)
                v->allowed = true;
        else if (conditional)
                v->refused_if = true;
        else {
                v->refused = true;
                v->refusal = refusal;
        }
}

static void read_entry(struct import *im, struct json_object *entry, size_t i)
{
        struct json_object *names = member(entry, "names");
        const char *single = string_of(member(entry, "name")); /* Docker's older form */
        if (!json_object_is_type(entry, json_type_object) ||
            (!json_object_is_type(names, json_type_array) && !single)) {
                error(im, "syscalls[%zu]: an object with \"names\" (an array) is expected", i);
                return;
        }
        const char *first = single ?: string_of(json_object_array_get_idx(names, 0));
        char names_text[96];
        snprintf(names_text, sizeof(names_text), "%s%s", first ?: "?",
                 length_of(names) > 1 ? " ..." : "");
        struct lp_action refusal = {LP_ACTION_ERRNO, EPERM};
        int kind = entry_action(im, entry, names_text, &refusal);
        if (kind == -2) {
                error(im, "syscalls[%zu]: \"action\" (a string) is missing", i);
                return;
        }
        if (kind < 0 || !applies(im, entry, names_text))
                return;
        struct json_object *args = member(entry, "args");
        char conditions[256];
        describe_args(args, conditions, sizeof(conditions));
        size_t n = single ? 1 : length_of(names);
        for (size_t k = 0; k < n; k++) {
                const char *name = single ?: string_of(json_object_array_get_idx(names, k));
                if (!name) {
                        error(im, "syscalls[%zu]: names[%zu] is not a string", i, k);
                        return;
                }
                struct verdict *v = verdict_of(im, name);
                if (!v) {
                        note(im, "# unknown: %s", name);
                        continue;
                }
                record(im, v, kind, length_of(args) > 0, refusal);
                if (kind == 1 && length_of(args) > 0 && !v->conditions &&
                    !(v->conditions = strdup(conditions)))
                        error(im, "out of memory");
        }
}

/* defaultAction: errno (defaultErrnoRet, else EPERM as runc) or kill; a
 * default that allows cannot be said by a profile, which refuses what it
 * does not allow. */
static void read_default(struct import *im, struct json_object *root)
{
        const char *action = string_of(member(root, "defaultAction"));
        struct json_object *ret = member(root, "defaultErrnoRet");
        int e = ret ? json_object_get_int(ret) : EPERM;
        if (!action)
                error(im, "\"defaultAction\" (a string) is missing");
        else if (strncmp(action, "SCMP_ACT_KILL", 13) == 0)
                im->default_action = (struct lp_action){LP_ACTION_KILL, 0};
        else if (strcmp(action, "SCMP_ACT_ERRNO") == 0 && lp_errno_name(e))
                im->default_action = (struct lp_action){LP_ACTION_ERRNO, e};
        else if (strcmp(action, "SCMP_ACT_ERRNO") == 0)
                error(im, "defaultErrnoRet %d is no errno leastpriv knows", e);
        else
                error(im,
                      "defaultAction %s cannot be expressed: a leastpriv profile refuses "
                      "what it does not allow (errno or kill)",
                      action);
}

static struct json_object *parse(struct import *im, const char *text, size_t len)
{
        struct json_tokener *tok = json_tokener_new();
        if (!tok) {
                error(im, "out of memory");
                return NULL;
        }
        struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error err = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        while (root && end < len && strchr(" \t\r\n", text[end]) && text[end])
                end++;
        if (!root || err != json_tokener_success || end < len) {
                unsigned line = 1;
                for (size_t i = 0; i < end && i < len; i++)
                        line += text[i] == '\n';
                fprintf(im->errors ? im->errors : stderr,
                        "%s:%u: not valid JSON: %s; import --format oci reads an OCI/Docker "
                        "seccomp profile (a JSON object)\n",
                        im->file, line,
                        !root && err == json_tokener_continue ? "it ends early"
                        : root                                ? "text after the JSON value"
                                                              : json_tokener_error_desc(err));
                im->failed = true;
                json_object_put(root);
                root = NULL;
        }
        json_tokener_free(tok);
        return root;
}

/* ---- the profile ---- */

struct words {
        FILE *out;
        const char *key;
        size_t column;
};

static void word(struct words *w, const char *text)
{
        if (w->column && w->column + 1 + strlen(text) > 100) {
                fputc('\n', w->out);
                w->column = 0;
        }
        if (!w->column)
                w->column = (size_t)fprintf(w->out, "%s=%s", w->key, text);
        else
                w->column += (size_t)fprintf(w->out, " %s", text);
}

static void words_end(struct words *w)
{
        if (w->column)
                fputc('\n', w->out);
}

static bool same_action(struct lp_action a, struct lp_action b)
{
        return a.type == b.type && (a.type != LP_ACTION_ERRNO || a.errno_value == b.errno_value);
}

static const char *action_text(struct lp_action a)
{
        return a.type == LP_ACTION_KILL ? "kill" : lp_errno_name(a.errno_value);
}

static void note_conditional(struct import *im, const char *name, const struct verdict *v)
{
        char more[48] = "";
        if (v->n_conditional > 1)
                snprintf(more, sizeof(more), " (or as %u more entries say)", v->n_conditional - 1);
        note(im, "# left out: %s: allowed only when %s%s; refused whole (narrower)", name,
             v->conditions, more);
}

/* Allow= what is allowed outright, and only that: a syscall also refused
 * under conditions would be allowed whole (wider), so it is left out. */
static void write_allow(struct import *im, FILE *out)
{
        struct words w = {out, "Allow", 0};
        for (size_t i = 0; i < lp_syscall_table_size; i++) {
                const struct verdict *v = &im->verdicts[i];
                const char *name = lp_syscall_table_by_name[i].name;
                if (v->allowed && v->refused)
                        note(im, "# left out: %s: both allowed and refused outright; refused",
                             name);
                else if (v->allowed && v->refused_if)
                        note(im,
                             "# left out: %s: refused when some arguments match; allowing it "
                             "whole would be wider",
                             name);
                else if (v->allowed)
                        word(&w, name);
                else if (v->allowed_if)
                        note_conditional(im, name, v);
        }
        words_end(&w);
}

static void write_deny(struct import *im, FILE *out)
{
        struct words w = {out, "Deny", 0};
        for (size_t i = 0; i < lp_syscall_table_size; i++) {
                const struct verdict *v = &im->verdicts[i];
                if (!v->refused || same_action(v->refusal, im->default_action))
                        continue;
                char token[96];
                snprintf(token, sizeof(token), "%s:%s", lp_syscall_table_by_name[i].name,
                         action_text(v->refusal));
                word(&w, token);
        }
        words_end(&w);
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, each once: a name listed in several entries is noted once. */
static void write_notes(struct import *im, FILE *out)
{
        if (im->n_notes) /* qsort(NULL, 0) is undefined */
                qsort(im->notes, im->n_notes, sizeof(*im->notes), compare_strings);
        for (size_t i = 0; i < im->n_notes; i++) {
                if (i > 0 && strcmp(im->notes[i], im->notes[i - 1]) == 0)
                        continue;
                fprintf(out, "%s\n", im->notes[i]);
        }
}

static void write_profile(struct import *im, FILE *out)
{
        char base[192];
        const char *slash = strrchr(im->file, '/');
        snprintf(base, sizeof(base), "%s", slash ? slash + 1 : im->file);
        sanitize(base);
        fprintf(out,
                "# Imported from %s (an OCI seccomp profile) by leastpriv import.\n"
                "# The syscall list sits on top of base: no capabilities, a loopback-only\n"
                "# network, CI secrets withheld, the host's files read-only.\n"
                "[Profile]\nDescription=Imported from %s\nInclude=base\n\n[Syscalls]\n",
                base, base);
        fprintf(out, "DefaultAction=%s%s\n",
                im->default_action.type == LP_ACTION_KILL ? "" : "errno:",
                action_text(im->default_action));
        write_allow(im, out);
        write_deny(im, out);
        write_notes(im, out);
}

static void read_profile(struct import *im, struct json_object *root)
{
        if (!json_object_is_type(root, json_type_object)) {
                error(im, "a JSON object with \"defaultAction\" is expected");
                return;
        }
        read_default(im, root);
        struct json_object *syscalls = member(root, "syscalls");
        if (syscalls && !json_object_is_type(syscalls, json_type_array) &&
            !json_object_is_type(syscalls, json_type_null))
                error(im, "\"syscalls\" must be an array");
        for (size_t i = 0; i < length_of(syscalls) && !im->failed; i++)
                read_entry(im, json_object_array_get_idx(syscalls, i), i);
}

int lp_import_oci(const char *text, size_t len, const char *file, FILE *errors, char **ret_profile)
{
        struct import im = {.file = file, .errors = errors};
        im.verdicts = calloc(lp_syscall_table_size + 1, sizeof(*im.verdicts));
        struct json_object *root = im.verdicts ? parse(&im, text, len) : NULL;
        if (root)
                read_profile(&im, root);
        char *profile = NULL;
        size_t size = 0;
        int r = !im.verdicts ? -ENOMEM : im.failed || !root ? -EINVAL : 0;
        if (r == 0) {
                FILE *out = open_memstream(&profile, &size);
                if (out)
                        write_profile(&im, out);
                r = !out || fclose(out) != 0 || im.failed ? -ENOMEM : 0;
        }
        json_object_put(root);
        for (size_t i = 0; i < im.n_notes; i++)
                free(im.notes[i]);
        free(im.notes);
        for (size_t i = 0; im.verdicts && i < lp_syscall_table_size; i++)
                free(im.verdicts[i].conditions);
        free(im.verdicts);
        if (r < 0) {
                free(profile);
                return r;
        }
        *ret_profile = profile;
        return 0;
}
