/* The network observer's programs (rules/net_bpf.h), run by a small
 * interpreter of the instructions they use, with the kernel's helpers
 * played by the test: which destinations are counted, how, and what the
 * host-service check asks the kernel. (45-run-net-observer.sh runs them
 * in the kernel.) */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rules/net_bpf.h"

enum { EVENTS = 100, OVERFLOW, ANNOUNCE, HOST_PORTS, REDIRECTS };

/* ---- the kernel, as the programs see it ---- */

struct entry {
        struct lp_net_key key;
        struct lp_net_value value;
};

static struct world {
        struct entry entries[8];
        size_t n_entries, capacity;
        uint64_t overflow;
        int announced;
        uint16_t host_ports[4]; /* host order */
        size_t n_host_ports;
        bool listener;               /* bpf_sk_lookup_tcp finds one */
        struct bpf_sock_tuple tuple; /* what it was asked */
        uint32_t tuple_size;
        int lookups, releases;
        uint32_t tgid;
        char comm[16];
        uint32_t announced_tgid;
        uint8_t host_port_value;
        uint64_t cookie; /* bpf_get_socket_cookie's answer */
        struct {         /* the redirects map */
                uint64_t cookie;
                struct lp_net_redirect value;
        } redirects[4];
        size_t n_redirects;
        bool redirects_refuse; /* its update fails (-ENOMEM) */
        /* The kernel's context behind a unix hook's (net_bpf.h,
         * LP_BPF_SOCK_ADDR_KERN_*): what bpf_probe_read_kernel finds at
         * the context's address plus an offset. */
        struct {
                uint64_t at[5]; /* sk, uaddr, tmp_reg, t_ctx, uaddrlen */
        } kern;
        const void *ctx; /* the context the program runs with */
        bool read_fails; /* bpf_probe_read_kernel fails (-EFAULT) */
} w;

/* bpf_probe_read_kernel: from the kernel's context where the source is
 * the program's context (plus an offset), else from memory. */
static uint64_t probe_read(void *to, uint64_t size, uint64_t from)
{
        uint64_t ctx = (uint64_t)(uintptr_t)w.ctx;
        if (w.read_fails)
                return (uint64_t)-EFAULT;
        if (from >= ctx && from < ctx + sizeof(struct bpf_sock_addr)) {
                assert_true(from - ctx + size <= sizeof(w.kern));
                memcpy(to, (const char *)&w.kern + (from - ctx), size);
        } else {
                memcpy(to, (const void *)(uintptr_t)from, size);
        }
        return 0;
}

static struct lp_net_redirect *redirect_of(uint64_t cookie)
{
        for (size_t i = 0; i < w.n_redirects; i++)
                if (w.redirects[i].cookie == cookie)
                        return &w.redirects[i].value;
        return NULL;
}

static uint64_t map_lookup(uint64_t map, const void *key)
{
        if (map == EVENTS) {
                for (size_t i = 0; i < w.n_entries; i++)
                        if (memcmp(&w.entries[i].key, key, sizeof(struct lp_net_key)) == 0)
                                return (uint64_t)(uintptr_t)&w.entries[i].value;
                return 0;
        }
        if (map == OVERFLOW)
                return *(const uint32_t *)key == 0 ? (uint64_t)(uintptr_t)&w.overflow : 0;
        if (map == REDIRECTS)
                return (uint64_t)(uintptr_t)redirect_of(*(const uint64_t *)key);
        assert_int_equal(map, HOST_PORTS);
        uint16_t port;
        memcpy(&port, key, sizeof(port));
        assert_int_equal(((const uint16_t *)key)[1], 0); /* the two zero bytes */
        for (size_t i = 0; i < w.n_host_ports; i++)
                if (htons(w.host_ports[i]) == port)
                        return (uint64_t)(uintptr_t)&w.host_port_value;
        return 0;
}

/* BPF_ANY: a socket's later query replaces its earlier one. */
static uint64_t redirect_update(const void *key, const void *value, uint64_t flags)
{
        assert_int_equal(flags, BPF_ANY);
        if (w.redirects_refuse)
                return (uint64_t)-ENOMEM;
        uint64_t cookie = *(const uint64_t *)key;
        struct lp_net_redirect *r = redirect_of(cookie);
        if (!r) {
                assert_true(w.n_redirects < 4);
                w.redirects[w.n_redirects].cookie = cookie;
                r = &w.redirects[w.n_redirects++].value;
        }
        memcpy(r, value, sizeof(*r));
        return 0;
}

static uint64_t map_update(uint64_t map, const void *key, const void *value, uint64_t flags)
{
        if (map == REDIRECTS)
                return redirect_update(key, value, flags);
        assert_int_equal(map, EVENTS);
        assert_int_equal(flags, BPF_NOEXIST);
        if (map_lookup(map, key))
                return (uint64_t)-EEXIST;
        if (w.n_entries == w.capacity)
                return (uint64_t)-E2BIG;
        memcpy(&w.entries[w.n_entries].key, key, sizeof(struct lp_net_key));
        memcpy(&w.entries[w.n_entries].value, value, sizeof(struct lp_net_value));
        w.n_entries++;
        return 0;
}

static uint64_t call(int32_t helper, const uint64_t *r)
{
        switch (helper) {
        case BPF_FUNC_map_lookup_elem:
                return map_lookup(r[1], (const void *)(uintptr_t)r[2]);
        case BPF_FUNC_map_update_elem:
                return map_update(r[1], (const void *)(uintptr_t)r[2],
                                  (const void *)(uintptr_t)r[3], r[4]);
        case BPF_FUNC_get_current_pid_tgid:
                return (uint64_t)w.tgid << 32 | (w.tgid + 1);
        case BPF_FUNC_ktime_get_ns:
                return 5000000;
        case BPF_FUNC_get_current_comm:
                assert_int_equal(r[2], 16);
                memcpy((char *)(uintptr_t)r[1], w.comm, 16);
                return 0;
        case BPF_FUNC_ringbuf_output: {
                const struct lp_net_announcement *a = (const void *)(uintptr_t)r[2];
                assert_int_equal(r[1], ANNOUNCE);
                assert_int_equal(r[3], sizeof(*a));
                assert_int_equal(map_lookup(EVENTS, &a->key) != 0, 1); /* added first */
                w.announced_tgid = a->tgid;
                w.announced++;
                return 0;
        }
        case BPF_FUNC_sk_lookup_tcp:
                assert_int_equal((int64_t)r[4], -1); /* the command's own namespace */
                w.lookups++;
                w.tuple_size = (uint32_t)r[3];
                memcpy(&w.tuple, (const void *)(uintptr_t)r[2], r[3]);
                return w.listener ? 0x5000 : 0;
        case BPF_FUNC_get_socket_cookie:
                assert_true(r[1] != 0); /* the context */
                return w.cookie;
        case BPF_FUNC_probe_read_kernel:
                return probe_read((void *)(uintptr_t)r[1], r[2], r[3]);
        case BPF_FUNC_probe_read_kernel_str: {
                /* Up to a NUL or size - 1 bytes, then a NUL: the bytes
                 * written, the NUL included. */
                char *to = (char *)(uintptr_t)r[1];
                const char *from = (const char *)(uintptr_t)r[3];
                assert_true(r[2] > 0);
                if (w.read_fails)
                        return (uint64_t)-EFAULT;
                size_t n = strnlen(from, r[2] - 1);
                memcpy(to, from, n);
                to[n] = '\0';
                return n + 1;
        }
        case BPF_FUNC_sk_release:
                assert_int_equal(r[1], 0x5000);
                w.releases++;
                return 0;
        }
        fail_msg("helper %d", helper);
        return 0;
}

/* ---- the instructions the programs use ---- */

static uint64_t alu(uint8_t op, uint64_t a, uint64_t b)
{
        switch (op) {
        case BPF_MOV:
                return b;
        case BPF_ADD:
                return a + b;
        case BPF_SUB:
                return a - b;
        case BPF_AND:
                return a & b;
        case BPF_OR:
                return a | b;
        case BPF_XOR:
                return a ^ b;
        case BPF_LSH:
                return a << b;
        case BPF_RSH:
                return a >> b;
        }
        fail_msg("alu op %#x", op);
        return 0;
}

static bool taken(uint8_t op, uint64_t a, uint64_t b)
{
        switch (op) {
        case BPF_JA:
                return true;
        case BPF_JEQ:
                return a == b;
        case BPF_JNE:
                return a != b;
        case BPF_JLT:
                return a < b;
        case BPF_JLE:
                return a <= b;
        case BPF_JGT:
                return a > b;
        case BPF_JSLT:
                return (int64_t)a < (int64_t)b;
        }
        fail_msg("jump op %#x", op);
        return false;
}

static size_t size_of(uint8_t code)
{
        switch (BPF_SIZE(code)) {
        case BPF_B:
                return 1;
        case BPF_H:
                return 2;
        case BPF_W:
                return 4;
        default:
                return 8;
        }
}

static uint64_t load(uint64_t addr, size_t size)
{
        uint64_t v = 0;
        memcpy(&v, (const void *)(uintptr_t)addr, size); /* little-endian */
        return v;
}

static uint64_t run(const struct bpf_insn *p, size_t n, struct bpf_sock_addr *ctx)
{
        static uint8_t stack[512];
        uint64_t r[11] = {[1] = (uint64_t)(uintptr_t)ctx,
                          [10] = (uint64_t)(uintptr_t)(stack + sizeof(stack))};
        for (size_t pc = 0, steps = 0; pc < n && steps < 10000; pc++, steps++) {
                const struct bpf_insn *i = &p[pc];
                uint8_t cls = BPF_CLASS(i->code);
                uint64_t src =
                        BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
                if (cls == BPF_ALU64) {
                        r[i->dst_reg] = alu(BPF_OP(i->code), r[i->dst_reg], src);
                } else if (cls == BPF_ALU) {
                        r[i->dst_reg] = (uint32_t)alu(BPF_OP(i->code), (uint32_t)r[i->dst_reg],
                                                      (uint32_t)src);
                } else if (cls == BPF_LDX) {
                        r[i->dst_reg] = load(r[i->src_reg] + (uint64_t)i->off, size_of(i->code));
                } else if (cls == BPF_STX && BPF_MODE(i->code) == BPF_ATOMIC) {
                        assert_int_equal(i->imm, BPF_ADD);
                        *(uint64_t *)(uintptr_t)(r[i->dst_reg] + (uint64_t)i->off) += r[i->src_reg];
                } else if (cls == BPF_STX || cls == BPF_ST) {
                        uint64_t v = cls == BPF_STX ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
                        memcpy((void *)(uintptr_t)(r[i->dst_reg] + (uint64_t)i->off), &v,
                               size_of(i->code));
                } else if (i->code == (BPF_LD | BPF_DW | BPF_IMM)) {
                        assert_int_equal(i->src_reg, BPF_PSEUDO_MAP_FD);
                        r[i->dst_reg] = (uint64_t)i->imm; /* the map, by its fd */
                        pc++;
                } else if (i->code == (BPF_JMP | BPF_CALL)) {
                        r[0] = call(i->imm, r);
                        for (int k = 1; k <= 5; k++) /* the kernel leaves them undefined */
                                r[k] = 0xdead0000u + (uint64_t)k;
                } else if (i->code == (BPF_JMP | BPF_EXIT)) {
                        return r[0];
                } else if (cls == BPF_JMP || cls == BPF_JMP32) {
                        uint64_t a = r[i->dst_reg];
                        uint64_t b = src;
                        if (cls == BPF_JMP32)
                                a = (uint32_t)a, b = (uint32_t)b;
                        if (taken(BPF_OP(i->code), a, b))
                                pc += (size_t)(ptrdiff_t)i->off;
                } else {
                        fail_msg("instruction %#x at %zu", i->code, pc);
                }
        }
        fail_msg("ran off the program");
        return 0;
}

/* ---- the calls ---- */

static int setup(void **state)
{
        (void)state;
        memset(&w, 0, sizeof(w));
        w.capacity = 8;
        w.tgid = 4242;
        strncpy(w.comm, "tester", sizeof(w.comm));
        return 0;
}

/* The context of a call to `addr` (an IPv4 or IPv6 text) and `port`. */
static struct bpf_sock_addr context(bool v6, int protocol, const char *addr, uint16_t port)
{
        struct bpf_sock_addr ctx = {.user_port = htons(port), .protocol = (uint32_t)protocol};
        if (v6)
                assert_int_equal(inet_pton(AF_INET6, addr, ctx.user_ip6), 1);
        else
                assert_int_equal(inet_pton(AF_INET, addr, &ctx.user_ip4), 1);
        return ctx;
}

/* One call through the program of `spec` with `ctx`, which it may
 * rewrite. */
static void run_spec(const struct lp_net_program_spec *spec, struct bpf_sock_addr *ctx)
{
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        size_t n = lp_net_program(spec, insns);
        assert_true(n > 0 && n < LP_NET_PROGRAM_MAX);
        assert_int_equal(run(insns, n, ctx), 1); /* every call goes through */
}

/* One call through the program of `hook` (socket protocol `protocol`)
 * to `addr` and `port`. */
static void call_hook(enum lp_net_hook hook, bool loopback_reaches, bool host_check, int protocol,
                      const char *addr, uint16_t port)
{
        struct lp_net_program_spec spec = {.hook = hook,
                                           .loopback_reaches = loopback_reaches,
                                           .events = EVENTS,
                                           .overflow = OVERFLOW,
                                           .announce = ANNOUNCE,
                                           .host_ports = host_check ? HOST_PORTS : -1};
        struct bpf_sock_addr ctx = context(lp_net_hook_ipv6(hook), protocol, addr, port);
        run_spec(&spec, &ctx);
}

/* A program of `hook` with the DNS trap, under Namespace=loopback. */
static struct lp_net_program_spec trap_spec(enum lp_net_hook hook)
{
        return (struct lp_net_program_spec){.hook = hook,
                                            .loopback_reaches = true,
                                            .events = EVENTS,
                                            .overflow = OVERFLOW,
                                            .announce = ANNOUNCE,
                                            .host_ports = -1,
                                            .dns_trap = true,
                                            .redirects = REDIRECTS};
}

/* The same with the DNS trap: the context as the program left it. */
static struct bpf_sock_addr trap_call(enum lp_net_hook hook, int protocol, const char *addr,
                                      uint16_t port)
{
        struct lp_net_program_spec spec = trap_spec(hook);
        struct bpf_sock_addr ctx = context(lp_net_hook_ipv6(hook), protocol, addr, port);
        run_spec(&spec, &ctx);
        return ctx;
}

/* A reply through the program of `hook`, from `addr`:`port`: the
 * source as the program left it. */
static struct bpf_sock_addr reply_call(enum lp_net_reply_hook hook, const char *addr, uint16_t port)
{
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        size_t n = lp_net_reply_program(hook, REDIRECTS, insns);
        assert_true(n > 0 && n < LP_NET_PROGRAM_MAX);
        struct bpf_sock_addr ctx = context(hook == LP_NET_RECVMSG6, IPPROTO_UDP, addr, port);
        assert_int_equal(run(insns, n, &ctx), 1);
        return ctx;
}

static void assert_address(const struct bpf_sock_addr *ctx, bool v6, const char *addr,
                           uint16_t port)
{
        char text[INET6_ADDRSTRLEN];
        assert_non_null(inet_ntop(v6 ? AF_INET6 : AF_INET,
                                  v6 ? (const void *)ctx->user_ip6 : (const void *)&ctx->user_ip4,
                                  text, sizeof(text)));
        assert_string_equal(text, addr);
        assert_int_equal(ctx->user_port, htons(port));
}

static void sendto4(const char *addr)
{
        call_hook(LP_NET_SENDMSG4, true, false, IPPROTO_UDP, addr, 53);
}

static void sendto6(const char *addr)
{
        call_hook(LP_NET_SENDMSG6, true, false, IPPROTO_UDP, addr, 53);
}

static void test_loopback_is_not_counted(void **state)
{
        (void)state;
        const char *v4[] = {"127.0.0.1", "127.255.3.9", "0.0.0.0"};
        const char *v6[] = {"::1", "::", "::ffff:127.0.0.1", "::ffff:127.1.2.3", "::ffff:0.0.0.0"};
        for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
                sendto4(v4[i]);
        for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
                sendto6(v6[i]);
        assert_int_equal(w.n_entries, 0);
        assert_int_equal(w.announced, 0);
}

static void test_outside_is_counted_with_its_destination(void **state)
{
        (void)state;
        const char *v4[] = {"192.0.2.1", "10.0.0.1", "128.0.0.1", "126.255.255.255", "1.0.0.127"};
        const char *v6[] = {"2001:db8::1", "::2",        "::ffff:10.0.0.1",
                            "fe80::1",     "::ffff:0:1", "0:0:0:1::1"};
        for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
                setup(NULL);
                sendto4(v4[i]);
                assert_int_equal(w.n_entries, 1);
                struct lp_net_key *k = &w.entries[0].key;
                char text[64];
                assert_non_null(inet_ntop(AF_INET, k->addr, text, sizeof(text)));
                assert_string_equal(text, v4[i]);
                assert_int_equal(k->addr[1] | k->addr[2] | k->addr[3], 0);
                assert_int_equal(ntohs(k->port), 53);
                assert_int_equal(k->hook, LP_NET_SENDMSG4);
                assert_int_equal(k->protocol, IPPROTO_UDP);
                assert_string_equal(k->comm, "tester");
                assert_int_equal(w.entries[0].value.tgid, 4242);
                assert_int_equal(w.entries[0].value.count, 1);
                assert_int_equal(w.entries[0].value.first_ns, 5000000);
                assert_int_equal(w.announced, 1);
                assert_int_equal(w.announced_tgid, 4242);
        }
        for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
                setup(NULL);
                sendto6(v6[i]);
                assert_int_equal(w.n_entries, 1);
                struct in6_addr want;
                inet_pton(AF_INET6, v6[i], &want);
                assert_memory_equal(w.entries[0].key.addr, &want, sizeof(want));
                assert_int_equal(w.entries[0].key.hook, LP_NET_SENDMSG6);
        }
}

/* The supervisor's own sends (the DNS stand-ins' answers, on sockets the
 * child made in the run's cgroup) go through uncounted and unchanged; any
 * other process's to the same destination is counted. */
static void test_the_supervisor_is_not_counted(void **state)
{
        (void)state;
        for (int h = 0; h < LP_NET_HOOKS; h++) {
                bool v6 = lp_net_hook_ipv6((enum lp_net_hook)h);
                struct lp_net_program_spec spec = trap_spec((enum lp_net_hook)h);
                spec.supervisor = 4242;
                struct bpf_sock_addr ctx =
                        context(v6, IPPROTO_UDP, v6 ? "fd00::53" : "192.0.2.53", 53);
                struct bpf_sock_addr before = ctx;
                run_spec(&spec, &ctx);
                assert_int_equal(w.n_entries, 0);
                assert_int_equal(w.announced, 0);
                assert_memory_equal(&ctx, &before, sizeof(ctx)); /* not sent to the trap */
                spec.supervisor = 4243;
                run_spec(&spec, &ctx);
                assert_int_equal(w.n_entries, 1);
                setup(NULL);
        }
}

static void test_namespace_none_counts_loopback(void **state)
{
        (void)state;
        call_hook(LP_NET_CONNECT4, false, true, IPPROTO_TCP, "127.0.0.1", 80);
        call_hook(LP_NET_CONNECT6, false, true, IPPROTO_TCP, "::1", 80);
        assert_int_equal(w.n_entries, 2);
        assert_int_equal(w.lookups, 0); /* no host-service question */
        assert_int_equal(w.entries[0].key.hook, LP_NET_CONNECT4);
}

/* A key per destination and program name: another process of the same
 * program adds to it (the first process stays its pid), another program
 * is a key of its own. */
static void test_counts_are_exact_per_program(void **state)
{
        (void)state;
        for (int i = 0; i < 3; i++)
                sendto4("192.0.2.1");
        w.tgid = 77;
        sendto4("192.0.2.1");
        strncpy(w.comm, "other", sizeof(w.comm));
        sendto4("192.0.2.1");
        assert_int_equal(w.n_entries, 2);
        assert_int_equal(w.entries[0].value.count, 4);
        assert_int_equal(w.entries[0].value.tgid, 4242);
        assert_int_equal(w.entries[1].value.count, 1);
        assert_int_equal(w.entries[1].value.tgid, 77);
        assert_string_equal(w.entries[1].key.comm, "other");
        assert_int_equal(w.announced, 2); /* first sightings only */
        assert_int_equal(w.announced_tgid, 77);
}

static void test_a_full_map_counts_in_the_overflow(void **state)
{
        (void)state;
        w.capacity = 1;
        sendto4("192.0.2.1");
        sendto4("192.0.2.2");
        sendto4("192.0.2.2");
        sendto4("192.0.2.1");
        assert_int_equal(w.n_entries, 1);
        assert_int_equal(w.entries[0].value.count, 2);
        assert_int_equal(w.overflow, 2);
        assert_int_equal(w.announced, 1);
}

static void test_unforwarded_host_service(void **state)
{
        (void)state;
        w.host_ports[w.n_host_ports++] = 5432;
        /* Nothing inside listens: the finding, marked. */
        call_hook(LP_NET_CONNECT4, true, true, IPPROTO_TCP, "127.0.0.1", 5432);
        assert_int_equal(w.n_entries, 1);
        assert_int_equal(w.entries[0].key.hook, LP_NET_CONNECT4 | LP_NET_HOST_SERVICE);
        assert_int_equal(w.tuple_size, sizeof(w.tuple.ipv4));
        assert_int_equal(w.tuple.ipv4.daddr, htonl(INADDR_LOOPBACK));
        assert_int_equal(w.tuple.ipv4.dport, htons(5432));
        assert_int_equal(w.tuple.ipv4.saddr | w.tuple.ipv4.sport, 0);
        /* 0.0.0.0 is asked as lo's address. */
        memset(&w.tuple, 0xff, sizeof(w.tuple));
        call_hook(LP_NET_CONNECT4, true, true, IPPROTO_TCP, "0.0.0.0", 5432);
        assert_int_equal(w.tuple.ipv4.daddr, htonl(INADDR_LOOPBACK));
        /* A listener of the command's own: its reference given back, no finding. */
        setup(NULL);
        w.host_ports[w.n_host_ports++] = 5432;
        w.listener = true;
        call_hook(LP_NET_CONNECT4, true, true, IPPROTO_TCP, "127.0.0.1", 5432);
        assert_int_equal(w.n_entries, 0);
        assert_int_equal(w.lookups, 1);
        assert_int_equal(w.releases, 1);
        /* Not a host port, not TCP, not a connect: no question at all. */
        setup(NULL);
        w.host_ports[w.n_host_ports++] = 5432;
        call_hook(LP_NET_CONNECT4, true, true, IPPROTO_TCP, "127.0.0.1", 5433);
        call_hook(LP_NET_CONNECT4, true, true, IPPROTO_UDP, "127.0.0.1", 5432);
        call_hook(LP_NET_SENDMSG4, true, true, IPPROTO_UDP, "127.0.0.1", 5432);
        assert_int_equal(w.lookups, 0);
        assert_int_equal(w.n_entries, 0);
}

static void test_unforwarded_host_service_v6(void **state)
{
        (void)state;
        w.host_ports[w.n_host_ports++] = 8080;
        call_hook(LP_NET_CONNECT6, true, true, IPPROTO_TCP, "::", 8080);
        assert_int_equal(w.n_entries, 1);
        assert_int_equal(w.entries[0].key.hook, LP_NET_CONNECT6 | LP_NET_HOST_SERVICE);
        struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
        assert_int_equal(w.tuple_size, sizeof(w.tuple.ipv6));
        assert_memory_equal(w.tuple.ipv6.daddr, &lo, sizeof(lo));
        assert_int_equal(w.tuple.ipv6.dport, htons(8080));
        /* Without a host check (no host ports): let through uncounted. */
        setup(NULL);
        call_hook(LP_NET_CONNECT6, true, false, IPPROTO_TCP, "::1", 8080);
        assert_int_equal(w.n_entries + (size_t)w.lookups, 0);
}

/* An IPv6 socket's connect to ::ffff:127.0.0.1 reaches IPv4 listeners:
 * the question is an IPv4 one. */
static void test_mapped_loopback_asks_ipv4(void **state)
{
        (void)state;
        w.host_ports[w.n_host_ports++] = 5432;
        call_hook(LP_NET_CONNECT6, true, true, IPPROTO_TCP, "::ffff:127.0.0.3", 5432);
        assert_int_equal(w.tuple_size, sizeof(w.tuple.ipv4));
        assert_int_equal(w.tuple.ipv4.daddr, inet_addr("127.0.0.3"));
        assert_int_equal(w.tuple.ipv4.dport, htons(5432));
        assert_int_equal(w.n_entries, 1);
        memset(&w.tuple, 0xff, sizeof(w.tuple));
        call_hook(LP_NET_CONNECT6, true, true, IPPROTO_TCP, "::ffff:0.0.0.0", 5432);
        assert_int_equal(w.tuple_size, sizeof(w.tuple.ipv4));
        assert_int_equal(w.tuple.ipv4.daddr, htonl(INADDR_LOOPBACK));
        /* With a listener: none. */
        setup(NULL);
        w.host_ports[w.n_host_ports++] = 5432;
        w.listener = true;
        call_hook(LP_NET_CONNECT6, true, true, IPPROTO_TCP, "::ffff:127.0.0.1", 5432);
        assert_int_equal(w.n_entries, 0);
        assert_int_equal(w.releases, 1);
}

/* Every combination assembles within LP_NET_PROGRAM_MAX (0 would be a
 * program cut short). */
static void test_every_program_fits(void **state)
{
        (void)state;
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        for (int h = 0; h < LP_NET_ALL_HOOKS; h++)
                for (int reaches = 0; reaches < 2; reaches++)
                        for (int host = 0; host < 4; host++) {
                                struct lp_net_program_spec spec = {
                                        .hook = (enum lp_net_hook)h,
                                        .loopback_reaches = reaches,
                                        .events = EVENTS,
                                        .overflow = OVERFLOW,
                                        .announce = ANNOUNCE,
                                        .host_ports = host & 1 ? HOST_PORTS : -1,
                                        .dns_trap = host & 2,
                                        .redirects = REDIRECTS,
                                        .supervisor = 4242};
                                size_t n = lp_net_program(&spec, insns);
                                assert_true(n > 0 && n <= LP_NET_PROGRAM_MAX);
                                assert_int_equal(insns[n - 1].code, BPF_JMP | BPF_EXIT);
                        }
}

/* An outside UDP destination of port 53: counted, marked, its original
 * saved under the socket's cookie, the call sent to the trap. */
static void test_dns_goes_to_the_trap(void **state)
{
        (void)state;
        w.cookie = 0xc00c1e;
        struct bpf_sock_addr ctx = trap_call(LP_NET_SENDMSG4, IPPROTO_UDP, "192.0.2.1", 53);
        assert_address(&ctx, false, "127.53.53.53", 1);
        assert_int_equal(w.n_entries, 1);
        assert_int_equal(w.entries[0].key.hook, LP_NET_SENDMSG4 | LP_NET_DNS_TRAPPED);
        assert_int_equal(w.entries[0].value.count, 1);
        struct lp_net_redirect *r = redirect_of(0xc00c1e);
        assert_non_null(r);
        struct in6_addr want;
        inet_pton(AF_INET6, "::ffff:192.0.2.1", &want);
        assert_memory_equal(r->addr, &want, sizeof(want));
        assert_int_equal(r->port, htons(53));
        /* An IPv6 socket's connect: to the trap's IPv4-mapped address. */
        w.cookie = 7;
        ctx = trap_call(LP_NET_CONNECT6, IPPROTO_UDP, "2001:db8::1", 53);
        assert_address(&ctx, true, "::ffff:127.53.53.53", 1);
        inet_pton(AF_INET6, "2001:db8::1", &want);
        assert_memory_equal(redirect_of(7)->addr, &want, sizeof(want));
        assert_int_equal(w.entries[1].key.hook, LP_NET_CONNECT6 | LP_NET_DNS_TRAPPED);
}

/* Not UDP, not port 53, not outside, an IPv6 socket's unconnected send
 * (the kernel refuses that rewrite), a cookie that cannot be saved: the
 * call goes where it was going; only outside ones are counted. */
static void test_only_dns_goes_to_the_trap(void **state)
{
        (void)state;
        struct bpf_sock_addr ctx = trap_call(LP_NET_CONNECT4, IPPROTO_TCP, "192.0.2.1", 53);
        assert_address(&ctx, false, "192.0.2.1", 53);
        ctx = trap_call(LP_NET_SENDMSG4, IPPROTO_UDP, "192.0.2.1", 5300);
        assert_address(&ctx, false, "192.0.2.1", 5300);
        ctx = trap_call(LP_NET_SENDMSG4, IPPROTO_UDP, "127.0.0.53", 53);
        assert_address(&ctx, false, "127.0.0.53", 53);
        ctx = trap_call(LP_NET_SENDMSG6, IPPROTO_UDP, "2001:db8::1", 53);
        assert_address(&ctx, true, "2001:db8::1", 53);
        assert_int_equal(w.n_redirects, 0);
        assert_int_equal(w.n_entries, 3);
        for (size_t i = 0; i < w.n_entries; i++)
                assert_int_equal(w.entries[i].key.hook & LP_NET_DNS_TRAPPED, 0);
        w.redirects_refuse = true;
        ctx = trap_call(LP_NET_SENDMSG4, IPPROTO_UDP, "192.0.2.9", 53);
        assert_address(&ctx, false, "192.0.2.9", 53);
        assert_int_equal(w.n_entries, 4);
}

/* A reply from the trap to a socket that sent a query there shows the
 * query's destination as its source; anything else is left alone. */
static void test_replies_show_the_original(void **state)
{
        (void)state;
        w.cookie = 1;
        trap_call(LP_NET_SENDMSG4, IPPROTO_UDP, "192.0.2.1", 53);
        w.cookie = 2;
        trap_call(LP_NET_CONNECT6, IPPROTO_UDP, "2001:db8::1", 53);
        static const struct {
                uint64_t cookie;
                enum lp_net_reply_hook hook;
                const char *from;
                uint16_t port;
                const char *shown; /* NULL: from, unchanged */
        } replies[] = {
                {1, LP_NET_RECVMSG4, "127.53.53.53", 1, "192.0.2.1"},
                {1, LP_NET_RECVMSG6, "::ffff:127.53.53.53", 1, "::ffff:192.0.2.1"},
                {2, LP_NET_RECVMSG6, "::ffff:127.53.53.53", 1, "2001:db8::1"},
                /* An IPv4 socket's saved destination is never an IPv6
                 * one; if it were, nothing would be shown. */
                {2, LP_NET_RECVMSG4, "127.53.53.53", 1, NULL},
                /* Not from the trap (its address, another port; another
                 * address, its port), or a socket that sent nothing there. */
                {1, LP_NET_RECVMSG4, "127.53.53.53", 53, NULL},
                {1, LP_NET_RECVMSG4, "127.0.0.1", 1, NULL},
                {1, LP_NET_RECVMSG6, "::1", 1, NULL},
                {3, LP_NET_RECVMSG4, "127.53.53.53", 1, NULL},
        };
        for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
                w.cookie = replies[i].cookie;
                struct bpf_sock_addr ctx =
                        reply_call(replies[i].hook, replies[i].from, replies[i].port);
                bool v6 = replies[i].hook == LP_NET_RECVMSG6;
                if (replies[i].shown)
                        assert_address(&ctx, v6, replies[i].shown, 53);
                else
                        assert_address(&ctx, v6, replies[i].from, replies[i].port);
        }
        assert_int_equal(lp_net_reply_attach_type(LP_NET_RECVMSG4), BPF_CGROUP_UDP4_RECVMSG);
        assert_int_equal(lp_net_reply_attach_type(LP_NET_RECVMSG6), BPF_CGROUP_UDP6_RECVMSG);
}

static void test_attach_types(void **state)
{
        (void)state;
        assert_int_equal(lp_net_attach_type(LP_NET_CONNECT4), BPF_CGROUP_INET4_CONNECT);
        assert_int_equal(lp_net_attach_type(LP_NET_CONNECT6), BPF_CGROUP_INET6_CONNECT);
        assert_int_equal(lp_net_attach_type(LP_NET_SENDMSG4), BPF_CGROUP_UDP4_SENDMSG);
        assert_int_equal(lp_net_attach_type(LP_NET_SENDMSG6), BPF_CGROUP_UDP6_SENDMSG);
        assert_int_equal(lp_net_attach_type(LP_NET_UNIX_CONNECT), LP_BPF_CGROUP_UNIX_CONNECT);
        assert_int_equal(lp_net_attach_type(LP_NET_UNIX_SENDMSG), LP_BPF_CGROUP_UNIX_SENDMSG);
}

/* ---- the unix hooks ---- */

/* One call through the unix program of `hook`, given the address
 * `path` (a family, then its bytes) `len` bytes long. */
static void unix_call_bytes(enum lp_net_hook hook, const char *path, size_t path_len, size_t len,
                            int type)
{
        struct sockaddr_storage given = {.ss_family = AF_UNIX};
        memcpy((char *)&given + 2, path, path_len);
        memset((char *)&given + len, 0x5a, sizeof(given) - len); /* beyond: not the address */
        struct lp_net_program_spec spec = {.hook = hook,
                                           .events = EVENTS,
                                           .overflow = OVERFLOW,
                                           .announce = ANNOUNCE,
                                           .host_ports = -1,
                                           .supervisor = 77};
        struct bpf_sock_addr ctx = {.type = (uint32_t)type};
        w.kern.at[1] = (uint64_t)(uintptr_t)&given;
        w.kern.at[4] = len;
        w.ctx = &ctx;
        run_spec(&spec, &ctx);
}

static void unix_call(enum lp_net_hook hook, const char *path, size_t len, int type)
{
        unix_call_bytes(hook, path, strlen(path), len, type);
}

static void test_unix_addresses_are_counted_as_given(void **state)
{
        (void)state;
        /* 16 bytes: an IPv4 address's length, which the filter lets by. */
        unix_call(LP_NET_UNIX_CONNECT, "/run//dock.skt", 16, SOCK_STREAM);
        unix_call(LP_NET_UNIX_CONNECT, "/run//dock.skt", 16, SOCK_STREAM);
        unix_call(LP_NET_UNIX_SENDMSG, "/run/a-datagram-socket-path", 29, SOCK_DGRAM);
        assert_int_equal(w.n_entries, 2);
        const struct lp_net_key *k = &w.entries[0].key;
        assert_int_equal(w.entries[0].value.count, 2);
        assert_int_equal(k->hook, LP_NET_UNIX_CONNECT);
        assert_int_equal(k->protocol, SOCK_STREAM);
        assert_int_equal(*(const uint16_t *)k->unix_addr, AF_UNIX);
        assert_string_equal(k->unix_addr + 2, "/run//dock.skt");
        /* Only the 16 bytes given: the rest of the key is zero. */
        for (size_t i = 16; i < sizeof(k->unix_addr); i++)
                assert_int_equal(k->unix_addr[i], 0);
        assert_string_equal(k->comm, "tester");
        k = &w.entries[1].key;
        assert_int_equal(w.entries[1].value.count, 1);
        assert_int_equal(k->hook, LP_NET_UNIX_SENDMSG);
        assert_int_equal(k->protocol, SOCK_DGRAM);
        assert_string_equal(k->unix_addr + 2, "/run/a-datagram-socket-path");
        assert_int_equal(w.announced, 2);
        /* Bytes past the path's NUL, a caller's uninitialised struct
         * given with sizeof: not the address, the same key. */
        unix_call_bytes(LP_NET_UNIX_CONNECT, "/run//dock.skt\0junk", 19, 110, SOCK_STREAM);
        unix_call_bytes(LP_NET_UNIX_CONNECT, "/run//dock.skt\0other", 20, 110, SOCK_STREAM);
        assert_int_equal(w.n_entries, 2);
        assert_int_equal(w.entries[0].value.count, 4);
}

static void test_unix_calls_not_counted(void **state)
{
        (void)state;
        /* Unnamed (autobind), abstract, relative: no file to hide. */
        unix_call(LP_NET_UNIX_CONNECT, "", 2, SOCK_STREAM);
        unix_call_bytes(LP_NET_UNIX_CONNECT, "\0abstract", 9, 11, SOCK_STREAM);
        unix_call(LP_NET_UNIX_CONNECT, "rel.sock", 10, SOCK_STREAM);
        assert_int_equal(w.n_entries, 0);
        /* The supervisor's own (its pid is the spec's). */
        w.tgid = 77;
        unix_call(LP_NET_UNIX_CONNECT, "/run/x.sock", 14, SOCK_STREAM);
        assert_int_equal(w.n_entries, 0);
}

/* What the kernel's context should not give (a layout that differs from
 * 6.7's): one key of the hook with an all-zero address, counted. */
static void test_unix_unreadable_is_counted_apart(void **state)
{
        (void)state;
        unix_call(LP_NET_UNIX_CONNECT, "/x", 111, SOCK_STREAM); /* longer than sockaddr_un */
        w.read_fails = true;
        unix_call(LP_NET_UNIX_CONNECT, "/run/x.sock", 14, SOCK_STREAM);
        w.read_fails = false;
        struct sockaddr_storage other = {.ss_family = AF_INET};
        struct bpf_sock_addr ctx = {.type = SOCK_STREAM};
        struct lp_net_program_spec spec = {.hook = LP_NET_UNIX_CONNECT,
                                           .events = EVENTS,
                                           .overflow = OVERFLOW,
                                           .announce = ANNOUNCE,
                                           .host_ports = -1};
        w.kern.at[1] = (uint64_t)(uintptr_t)&other;
        w.kern.at[4] = 16;
        w.ctx = &ctx;
        run_spec(&spec, &ctx);
        assert_int_equal(w.n_entries, 1);
        assert_int_equal(w.entries[0].value.count, 3);
        assert_int_equal(w.entries[0].key.hook, LP_NET_UNIX_CONNECT);
        for (size_t i = 0; i < sizeof(w.entries[0].key.unix_addr); i++)
                assert_int_equal(w.entries[0].key.unix_addr[i], 0);
}

static void test_unix_probe_fits(void **state)
{
        (void)state;
        struct bpf_insn insns[LP_NET_UNIX_PROBE_MAX];
        size_t n = lp_net_unix_probe_program(insns);
        assert_true(n > 0 && n <= LP_NET_UNIX_PROBE_MAX);
        struct bpf_sock_addr ctx = {0};
        w.ctx = &ctx;
        assert_int_equal(run(insns, n, &ctx), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_loopback_is_not_counted, setup),
                cmocka_unit_test_setup(test_outside_is_counted_with_its_destination, setup),
                cmocka_unit_test_setup(test_the_supervisor_is_not_counted, setup),
                cmocka_unit_test_setup(test_namespace_none_counts_loopback, setup),
                cmocka_unit_test_setup(test_counts_are_exact_per_program, setup),
                cmocka_unit_test_setup(test_mapped_loopback_asks_ipv4, setup),
                cmocka_unit_test(test_every_program_fits),
                cmocka_unit_test_setup(test_a_full_map_counts_in_the_overflow, setup),
                cmocka_unit_test_setup(test_unforwarded_host_service, setup),
                cmocka_unit_test_setup(test_unforwarded_host_service_v6, setup),
                cmocka_unit_test(test_attach_types),
                cmocka_unit_test_setup(test_dns_goes_to_the_trap, setup),
                cmocka_unit_test_setup(test_only_dns_goes_to_the_trap, setup),
                cmocka_unit_test_setup(test_replies_show_the_original, setup),
                cmocka_unit_test_setup(test_unix_addresses_are_counted_as_given, setup),
                cmocka_unit_test_setup(test_unix_calls_not_counted, setup),
                cmocka_unit_test_setup(test_unix_unreadable_is_counted_apart, setup),
                cmocka_unit_test_setup(test_unix_probe_fits, setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
