/* The score table (score_checks.h) and its assessors. The weights follow
 * systemd-analyze security where it has the same check (a capability
 * that is root in all but name 1500, ProtectHostname= 50, ...); where a
 * check is leastpriv's own, its weight says how much of the host it opens
 * to a test command that turns hostile. */
#include "review/score_checks.h"

#include <fnmatch.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "profile/names.h"
#include "profile/syscall_sets.h"
#include "rules/watch.h"

/* Older kernel headers lack the newest capabilities (Linux 5.8, 5.9). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Appends `word` to what a result lists, ", "-separated; "..." once the
 * buffer is full, so a long list still says there was more. */
static void list_add(struct lp_score_result *r, const char *word)
{
        size_t len = strlen(r->what), size = sizeof(r->what);
        if (len + 3 >= size || strcmp(r->what + (len >= 3 ? len - 3 : 0), "...") == 0)
                return;
        int n = snprintf(r->what + len, size - len, "%s%s", len ? ", " : "", word);
        if (n < 0 || (size_t)n >= size - len)
                snprintf(r->what + size - 4, 4, "...");
}

/* The first grant found cites its line. */
static void found(struct lp_score_result *r, const struct lp_origin *o, const char *word)
{
        if (r->badness == 0 && o)
                r->origin = *o;
        r->badness = 1;
        list_add(r, word);
}

static void say(struct lp_score_result *r, const char *text)
{
        snprintf(r->what, sizeof(r->what), "%s", text);
}

/* ---- [Capabilities] ---- */

static void assess_caps(const struct lp_score_check *c, const struct lp_score_input *in,
                        struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        for (size_t i = 0; i < p->n_keep; i++) {
                int cap = p->keep[i].cap;
                if (cap < 0 || cap >= 64 || !(c->caps & (UINT64_C(1) << cap)))
                        continue;
                char name[64];
                found(ret, &p->keep[i].origin, lp_capability_name(cap, name, sizeof(name)));
        }
        if (!ret->badness)
                say(ret, "not kept");
}

/* ---- [Syscalls] ---- */

/* Only the group's own calls, not those of the groups it nests
 * (@privileged nests @mount ...): each call counts once. */
static void assess_group(const struct lp_score_check *c, const struct lp_score_input *in,
                         struct lp_score_result *ret)
{
        const struct lp_syscall_group *g = lp_syscall_group_find(c->group);
        for (size_t i = 0; g && g->members[i]; i++) {
                const char *name = g->members[i];
                const struct lp_syscall_rule *rule =
                        name[0] == '@' ? NULL : lp_policy_syscall_by_name(in->policy, name);
                if (rule && rule->action.type == LP_ACTION_ALLOW)
                        found(ret, &rule->origin, name);
        }
        if (!ret->badness)
                say(ret, "denied");
}

/* What no line names is refused either way; errno lets a command go on
 * and try another way, kill stops it at the first (as `diff` counts it). */
static void assess_default_action(const struct lp_score_check *c, const struct lp_score_input *in,
                                  struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        ret->origin = p->default_origin;
        ret->badness = p->default_action.type != LP_ACTION_KILL;
        say(ret, ret->badness ? "errno: the command goes on after a refused call" : "kill");
}

/* Allowing a watched syscall by its bare name lifts its argument
 * hardening (rules/watch.h), as `diff` counts it. */
static void assess_unhardened(const struct lp_score_check *c, const struct lp_score_input *in,
                              struct lp_score_result *ret)
{
        for (const struct lp_watch *w = lp_watches; w->name; w++) {
                for (size_t i = 0; w->hardening && w->syscalls[i]; i++) {
                        const struct lp_syscall_rule *rule =
                                lp_policy_syscall_by_name(in->policy, w->syscalls[i]);
                        if (rule && !lp_watch_hardened(in->policy, w->syscalls[i])) {
                                found(ret, &rule->origin, w->hardening);
                                break;
                        }
                }
        }
        if (!ret->badness)
                say(ret, "every hardening in place");
}

/* ---- [Network] ---- */

static void assess_namespace(const struct lp_score_check *c, const struct lp_score_input *in,
                             struct lp_score_result *ret)
{
        static const struct {
                unsigned badness;
                const char *what;
        } modes[] = {
                [LP_NETNS_NONE] = {0, "none: a namespace of its own, lo down"},
                [LP_NETNS_LOOPBACK] = {1, "loopback: a namespace of its own, lo up"},
                [LP_NETNS_HOST] = {8, "host: the host's network, its ports and beyond"},
        };
        const struct lp_policy *p = in->policy;
        ret->origin = p->netns_origin;
        ret->badness = modes[p->netns].badness;
        say(ret, modes[p->netns].what);
}

static void assess_forward(const struct lp_score_check *c, const struct lp_score_input *in,
                           struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        if (p->n_forwards == 0) {
                say(ret, "none");
                return;
        }
        char text[160];
        const struct lp_forward *f = &p->forwards[0];
        if (f->path[0])
                snprintf(text, sizeof(text), "unix:%s", f->path);
        else
                snprintf(text, sizeof(text), "tcp:%s:%u", f->host, f->host_port);
        found(ret, &f->origin, text);
        if (p->n_forwards > 1)
                list_add(ret, "...");
        if (p->forward_outside.value) {
                ret->badness = 2;
                ret->origin = p->forward_outside.origin;
                list_add(ret, "and hosts beyond loopback (ForwardOutside=yes)");
        }
}

/* Whether a family is one of those a check of its own weighs. */
static bool weighed_alone(int family)
{
        return family == AF_UNIX || family == AF_INET || family == AF_INET6 ||
               family == AF_NETLINK || family == AF_PACKET;
}

static void add_family(struct lp_score_result *ret, const struct lp_family *f)
{
        char token[64];
        found(ret, &f->origin, lp_family_token(f->family, f->protocol, token, sizeof(token)));
}

static void assess_inet(const struct lp_score_check *c, const struct lp_score_input *in,
                        struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].family == AF_INET || p->families[i].family == AF_INET6)
                        add_family(ret, &p->families[i]);
        if (!ret->badness)
                say(ret, "not granted");
}

static void assess_packet(const struct lp_score_check *c, const struct lp_score_input *in,
                          struct lp_score_result *ret)
{
        const struct lp_family *f = lp_policy_family(in->policy, AF_PACKET);
        if (f)
                add_family(ret, f);
        else
                say(ret, "not granted");
}

/* The whole family 4, else one step per protocol granted (ROUTE alone,
 * which getifaddrs() needs: 1). */
static void assess_netlink(const struct lp_score_check *c, const struct lp_score_input *in,
                           struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        unsigned protocols = 0;
        bool whole = false;
        for (size_t i = 0; i < p->n_families; i++) {
                if (p->families[i].family != AF_NETLINK)
                        continue;
                add_family(ret, &p->families[i]);
                protocols++;
                whole = whole || p->families[i].protocol < 0;
        }
        if (!ret->badness)
                say(ret, "not granted");
        ret->badness = whole ? 4 : (protocols < 3 ? protocols : 3);
}

static void assess_other_families(const struct lp_score_check *c, const struct lp_score_input *in,
                                  struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        for (size_t i = 0; i < p->n_families; i++)
                if (!weighed_alone(p->families[i].family))
                        add_family(ret, &p->families[i]);
        if (!ret->badness)
                say(ret, "none");
}

/* ---- [Filesystem] ---- */

static void assess_protect_system(const struct lp_score_check *c, const struct lp_score_input *in,
                                  struct lp_score_result *ret)
{
        static const struct {
                unsigned badness;
                const char *what;
        } levels[] = {
                [LP_PROTECT_SYSTEM_NO] = {2, "no: the host's files as writable as for the caller"},
                [LP_PROTECT_SYSTEM_FULL] = {1, "full: /usr, /boot, /efi, /etc read-only"},
                [LP_PROTECT_SYSTEM_STRICT] = {0, "strict: the host read-only"},
        };
        const struct lp_policy *p = in->policy;
        ret->origin = p->protect_system_origin;
        ret->badness = levels[p->protect_system].badness;
        say(ret, levels[p->protect_system].what);
}

/* How much of the host a writable path opens: 1 a path in the workspace
 * (relative, not climbing out of it), 3 a whole tree of the system or the
 * caller's home, 2 anything else. */
static unsigned writable_path_badness(const char *path)
{
        static const char *const trees[] = {"/",    "~",     "~/",   "/home", "/root",
                                            "/etc", "/usr",  "/var", "/boot", "/run",
                                            "/dev", "/proc", "/sys", "/opt",  "/srv"};
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
                len--;
        for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
                if (strlen(trees[i]) == len && strncmp(trees[i], path, len) == 0)
                        return 3;
        if (path[0] == '/' || path[0] == '~')
                return 2;
        bool climbs = strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
                      strstr(path, "/../") || (len >= 3 && strcmp(path + len - 3, "/..") == 0);
        return climbs ? 2 : 1;
}

static void assess_rw_paths(const struct lp_score_check *c, const struct lp_score_input *in,
                            struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        unsigned worst = 0;
        for (size_t i = 0; i < p->n_rw_paths; i++) {
                unsigned b = writable_path_badness(p->rw_paths[i].path);
                if (b > worst)
                        ret->origin = p->rw_paths[i].origin;
                worst = b > worst ? b : worst;
                list_add(ret, p->rw_paths[i].path);
        }
        ret->badness = worst;
        if (!worst)
                say(ret, "none");
}

/* Whether `path` is hidden by p: itself, or a directory above it. */
static bool hidden(const struct lp_policy *p, const char *path)
{
        for (size_t i = 0; i < p->n_hidden_paths; i++) {
                const char *h = p->hidden_paths[i].path;
                size_t len = strlen(h);
                if (strncmp(h, path, len) == 0 && (path[len] == '\0' || path[len] == '/'))
                        return true;
        }
        return false;
}

/* Of the credential stores base hides: 0 all hidden, 2 none, 1 some. */
static void assess_hidden(const struct lp_score_check *c, const struct lp_score_input *in,
                          struct lp_score_result *ret)
{
        const struct lp_policy *base = in->base;
        size_t visible = 0;
        for (size_t i = 0; i < base->n_hidden_paths; i++) {
                if (hidden(in->policy, base->hidden_paths[i].path))
                        continue;
                visible++;
                list_add(ret, base->hidden_paths[i].path);
        }
        ret->badness = visible == 0 ? 0 : visible < base->n_hidden_paths ? 1 : 2;
        if (!visible)
                say(ret, "every credential store base hides is hidden");
}

static void assess_flag(const struct lp_score_check *c, const struct lp_score_input *in,
                        struct lp_score_result *ret)
{
        const struct lp_flag *flag = (const struct lp_flag *)((const char *)in->policy + c->field);
        ret->origin = flag->origin;
        ret->badness = !flag->value;
        say(ret, flag->value ? "yes" : "no");
}

/* A dynamic user implies it (lp_policy_restricts_suid). */
static void assess_suid(const struct lp_score_check *c, const struct lp_score_input *in,
                        struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        bool dynamic = !p->restrict_suid.value && p->dynamic_user.value;
        ret->origin = dynamic ? p->dynamic_user.origin : p->restrict_suid.origin;
        ret->badness = !lp_policy_restricts_suid(p);
        say(ret, ret->badness ? "no" : dynamic ? "yes (DynamicUser=yes)" : "yes");
}

/* ---- [Identity] ---- */

/* As systemd weighs User=: a uid of the run's own 0, a named user 1,
 * root or the caller (root on most CI runners) 2. */
static void assess_identity(const struct lp_score_check *c, const struct lp_score_input *in,
                            struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        if (p->dynamic_user.value) {
                ret->origin = p->dynamic_user.origin;
                say(ret, "a uid and gid of the run's own");
                return;
        }
        bool root = p->user && (strcmp(p->user, "root") == 0 || strcmp(p->user, "0") == 0);
        ret->origin = p->user ? p->user_origin : p->dynamic_user.origin;
        ret->badness = p->user && !root ? 1 : 2;
        if (p->user)
                snprintf(ret->what, sizeof(ret->what), "User=%s", p->user);
        else
                say(ret, "the caller's uid (root on most CI runners)");
}

/* ---- [Environment] ---- */

static bool withholds_glob(const struct lp_policy *p, const char *glob)
{
        for (size_t i = 0; i < p->n_withhold; i++)
                if (strcmp(p->withhold[i].glob, glob) == 0)
                        return true;
        return false;
}

/* Of the CI secrets base withholds (its Withhold= patterns, as written):
 * 0 all withheld (or nothing inherited: Clear=yes), 2 none, 1 some. */
static void assess_withhold(const struct lp_score_check *c, const struct lp_score_input *in,
                            struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy, *base = in->base;
        if (p->clear_env) {
                ret->origin = p->clear_env_origin;
                say(ret, "Clear=yes: nothing inherited but Pass=");
                return;
        }
        size_t missing = 0;
        for (size_t i = 0; i < base->n_withhold; i++) {
                if (withholds_glob(p, base->withhold[i].glob))
                        continue;
                missing++;
                list_add(ret, base->withhold[i].glob);
        }
        ret->badness = missing == 0 ? 0 : missing < base->n_withhold ? 1 : 2;
        if (!missing)
                say(ret, "every secret base withholds is withheld");
}

/* A Pass= pattern passes a secret when base withholds the pattern read as
 * a name (Pass=GITHUB_TOKEN) or the pattern matches one of base's read
 * as a name (Pass=AWS_* matches "AWS_*"). 1 a secret by its name, 2 a
 * pattern that passes secrets wholesale. */
static bool passes_secret(const struct lp_policy *base, const char *glob)
{
        if (lp_policy_withhold_pattern(base, glob))
                return true;
        for (size_t i = 0; i < base->n_withhold; i++)
                if (fnmatch(glob, base->withhold[i].glob, 0) == 0)
                        return true;
        return false;
}

static void assess_pass(const struct lp_score_check *c, const struct lp_score_input *in,
                        struct lp_score_result *ret)
{
        const struct lp_policy *p = in->policy;
        unsigned worst = 0;
        for (size_t i = 0; i < p->n_pass; i++) {
                const char *glob = p->pass[i].glob;
                if (!passes_secret(in->base, glob))
                        continue;
                unsigned b = strpbrk(glob, "*?[") ? 2 : 1;
                if (b > worst)
                        ret->origin = p->pass[i].origin;
                worst = b > worst ? b : worst;
                list_add(ret, glob);
        }
        ret->badness = worst;
        if (!worst)
                say(ret, "no secret passed");
}

/* ---- [Limits] ---- */

static void assess_limit(const struct lp_score_check *c, const struct lp_score_input *in,
                         struct lp_score_result *ret)
{
        const struct lp_limit *limit =
                (const struct lp_limit *)((const char *)in->policy + c->field);
        ret->origin = limit->origin;
        ret->badness = !limit->set;
        if (limit->set)
                snprintf(ret->what, sizeof(ret->what), "%llu", (unsigned long long)limit->value);
        else
                say(ret, "not set");
}

/* ---- the table ---- */

/* The capability tiers: each capability in exactly one
 * (tests/unit/test_score.c checks it). */
#define BIT(cap) (UINT64_C(1) << (cap))
#define CAPS_KERNEL                                                                        \
        (BIT(CAP_SYS_MODULE) | BIT(CAP_SYS_RAWIO) | BIT(CAP_SYS_PTRACE) | BIT(CAP_BPF) |   \
         BIT(CAP_PERFMON) | BIT(CAP_MAC_ADMIN) | BIT(CAP_MAC_OVERRIDE) | BIT(CAP_SYSLOG) | \
         BIT(CAP_NET_ADMIN))
#define CAPS_IDENTITY (BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_SETPCAP) | BIT(CAP_SETFCAP))
#define CAPS_FILES                                                                              \
        (BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_FOWNER) | BIT(CAP_FSETID) | \
         BIT(CAP_CHOWN) | BIT(CAP_IPC_OWNER) | BIT(CAP_LINUX_IMMUTABLE) | BIT(CAP_MKNOD))
#define CAPS_NETWORK (BIT(CAP_NET_RAW) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_BROADCAST))
/* Every capability the tiers above leave, those of kernels newer than
 * this table included. */
#define CAPS_OTHER (~(BIT(CAP_SYS_ADMIN) | CAPS_KERNEL | CAPS_IDENTITY | CAPS_FILES | CAPS_NETWORK))

#define CHECK(weight_, range_, assessor, name_, fix_)                                              \
        {                                                                                          \
                .name = name_, .fix = fix_, .weight = weight_, .range = range_, .assess = assessor \
        }
#define KEEP(weight_, name_, mask)                                                            \
        {                                                                                     \
                .name = name_, .fix = "[Capabilities] Keep= without them", .weight = weight_, \
                .range = 1, .assess = assess_caps, .caps = mask                               \
        }
#define GROUP(weight_, name_)                                                                  \
        {                                                                                      \
                .name = name_, .fix = "[Syscalls] Deny=" name_, .weight = weight_, .range = 1, \
                .assess = assess_group, .group = name_                                         \
        }
#define FLAG(weight_, section, key, field_name)                                                    \
        {                                                                                          \
                .name = #key "=", .fix = "[" #section "] " #key "=yes", .weight = weight_,         \
                .range = 1, .assess = assess_flag, .field = offsetof(struct lp_policy, field_name) \
        }
#define LIMIT(weight_, key, unit, field_name)                                                      \
        {                                                                                          \
                .name = #key "=", .fix = "[Limits] " #key "=" unit, .weight = weight_, .range = 1, \
                .assess = assess_limit, .field = offsetof(struct lp_policy, field_name)            \
        }

const struct lp_score_check lp_score_checks[] = {
        /* [Capabilities]: by what each kept capability reaches. */
        KEEP(4000, "CAP_SYS_ADMIN", BIT(CAP_SYS_ADMIN)),
        KEEP(3000, "capabilities over the kernel", CAPS_KERNEL),
        KEEP(2500, "capabilities over identities", CAPS_IDENTITY),
        KEEP(2500, "capabilities over files", CAPS_FILES),
        KEEP(1000, "capabilities over the network", CAPS_NETWORK),
        KEEP(1000, "other capabilities", CAPS_OTHER),

        /* [Syscalls]: each dangerous group (profile/syscall_sets.c), those
         * the kernel refuses without a capability lighter; not @io-uring,
         * which the built-in hardening refuses whatever a profile says
         * (profile/resolve.c). Then the argument hardening, the default. */
        GROUP(1500, "@namespaces"),
        GROUP(1000, "@debug"),
        GROUP(1000, "@bpf"),
        GROUP(500, "@mount"),
        GROUP(500, "@keyring"),
        GROUP(300, "@privileged"),
        GROUP(300, "@module"),
        GROUP(300, "@reboot"),
        GROUP(300, "@swap"),
        GROUP(300, "@raw-io"),
        GROUP(300, "@clock"),
        GROUP(100, "@obsolete"),
        GROUP(100, "@cpu-emulation"),
        CHECK(1000, 1, assess_unhardened, "argument hardening",
              "[Syscalls] Allow= through a group, not by bare name"),
        CHECK(100, 1, assess_default_action, "DefaultAction=", "[Syscalls] DefaultAction=kill"),

        /* [Network] */
        CHECK(3000, 8, assess_namespace, "Namespace=", "[Network] Namespace=none"),
        CHECK(1500, 2, assess_forward,
              "Forward=", "[Network] Forward= only the services the tests need"),
        CHECK(250, 1, assess_inet, "AF_INET, AF_INET6", "[Network] AddressFamilies= without them"),
        CHECK(500, 4, assess_netlink, "AF_NETLINK",
              "[Network] AddressFamilies=AF_NETLINK:ROUTE at most"),
        CHECK(1500, 1, assess_packet, "AF_PACKET", "[Network] AddressFamilies= without it"),
        CHECK(1250, 1, assess_other_families, "other address families",
              "[Network] AddressFamilies= without them"),

        /* [Filesystem] */
        CHECK(1500, 2, assess_protect_system,
              "ProtectSystem=", "[Filesystem] ProtectSystem=strict"),
        CHECK(1000, 3, assess_rw_paths,
              "ReadWritePaths=", "[Filesystem] ReadWritePaths= only what the tests write"),
        CHECK(1000, 2, assess_hidden,
              "InaccessiblePaths=", "[Filesystem] InaccessiblePaths= as base's (Include=base)"),
        FLAG(1000, Filesystem, PrivateTmp, private_tmp),
        FLAG(1000, Filesystem, PrivateDevices, private_devices),
        FLAG(1000, Filesystem, ProtectKernelTunables, protect_tunables),
        FLAG(1000, Filesystem, ProtectControlGroups, protect_cgroups),
        CHECK(1000, 1, assess_suid, "RestrictSUIDSGID=", "[Filesystem] RestrictSUIDSGID=yes"),

        /* [Host] */
        FLAG(500, Host, PrivateIPC, private_ipc),
        FLAG(50, Host, ProtectHostname, protect_hostname),

        /* [Identity] */
        CHECK(2000, 2, assess_identity, "DynamicUser=", "[Identity] DynamicUser=yes"),

        /* [Environment] */
        CHECK(1500, 2, assess_withhold,
              "Withhold=", "[Environment] Withhold= as base's (Include=base), or Clear=yes"),
        CHECK(1500, 2, assess_pass, "Pass=", "[Environment] Pass= without the secrets"),
        FLAG(250, Environment, WithholdURLPasswords, withhold_url_passwords),

        /* [Limits] */
        LIMIT(250, Processes, "N", processes),
        LIMIT(250, Memory, "SIZE", memory),
        LIMIT(100, Timeout, "SECONDS", timeout),
        {0},
};
