/* Regressions from fuzzing and memory checking (tests/fuzz, tools/fuzz.sh,
 * tools/valgrind.sh), and the seams the fuzzers rely on: the sealed profile
 * loader and the decoder's buffer reader. Each case names what broke. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "profile/load.h"
#include "profile/policy.h"
#include "review/diff.h"
#include "review/show.h"
#include "rules/call.h"
#include "rules/decode.h"

#include "../helpers/memory_image.h"

/* ---- helpers ---- */

struct loaded {
        struct lp_policy *policy;
        char *errors;
        int r;
};

static struct loaded load(const char *text, bool sealed)
{
        struct loaded out = {0};
        size_t len = 0;
        FILE *errors = open_memstream(&out.errors, &len);
        assert_non_null(errors);
        out.r = sealed ? lp_policy_load_string_sealed(text, "t.profile", errors, &out.policy)
                       : lp_policy_load_string(text, "t.profile", errors, &out.policy);
        fclose(errors);
        return out;
}

static void done(struct loaded *l)
{
        lp_policy_free(l->policy);
        free(l->errors);
}

/* The tracee's memory as the fuzzer serves it: `size` bytes at BASE. */
#define BASE 0x10000ULL

static struct lp_decode_reader reader(struct memory_image *im)
{
        im->base = BASE;
        return memory_image_reader(im);
}

static struct lp_sockaddr_info decode_sockaddr(const void *bytes, size_t size, uint64_t len,
                                               int expect_r)
{
        struct memory_image im = {.bytes = bytes, .size = size};
        struct lp_decode_reader rd = reader(&im);
        struct lp_sockaddr_info sa;
        assert_int_equal(lp_decode_sockaddr(&rd, BASE, len, &sa), expect_r);
        assert_non_null(memchr(sa.text, '\0', sizeof(sa.text)));
        return sa;
}

/* ---- profiles ---- */

/* Include=/dev/zero read without end until memory ran out: a profile is
 * now at most 1 MiB. */
static void test_policy_load_include_dev_zero(void **state)
{
        struct loaded l = load("[Profile]\nInclude=/dev/zero\n", false);
        assert_int_equal(l.r, -EINVAL);
        assert_null(l.policy);
        assert_non_null(strstr(l.errors, "t.profile:2: cannot read profile '/dev/zero'"));
        assert_non_null(strstr(l.errors, strerror(EFBIG)));
        done(&l);
}

static void test_policy_load_dev_zero(void **state)
{
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load("/dev/zero", NULL, &p), -EINVAL);
        assert_null(p);
}

/* The fuzzer's loader opens nothing: a path is refused before any open,
 * so no file's content can reach an error message. */
static void test_policy_load_string_sealed_refuses_paths(void **state)
{
        struct loaded l = load("[Profile]\nInclude=/etc/passwd ./x.profile nosuch\n", true);
        assert_int_equal(l.r, -EINVAL);
        assert_null(l.policy);
        assert_non_null(strstr(l.errors, "cannot read profile '/etc/passwd': Permission denied"));
        assert_non_null(strstr(l.errors, "cannot read profile './x.profile'"));
        assert_non_null(strstr(l.errors, "cannot read profile 'nosuch'"));
        assert_null(strstr(l.errors, "root:"));
        assert_null(strstr(l.errors, "looked in"));
        done(&l);
}

static void test_policy_load_string_sealed_embedded(void **state)
{
        struct loaded l = load("[Profile]\nInclude=strict\n", true);
        assert_int_equal(l.r, 0);
        assert_non_null(l.policy);
        assert_true(l.policy->clear_env);
        assert_non_null(lp_policy_syscall_by_name(l.policy, "read"));
        done(&l);
}

/* diff cut each privilege to 192 bytes: two Pass= globs sharing a long
 * prefix compared equal, and a candidate widening one passed the gate. */
static void test_policy_diff_long_globs(void **state)
{
        char prefix[301];
        memset(prefix, 'X', sizeof(prefix) - 1);
        prefix[sizeof(prefix) - 1] = '\0';
        char *base_text = NULL, *cand_text = NULL;
        assert_true(asprintf(&base_text, "[Environment]\nPass=%sA\nWithhold=%sA\n", prefix,
                             prefix) > 0);
        assert_true(asprintf(&cand_text, "[Environment]\nPass=%s*\nWithhold=%sB\n", prefix,
                             prefix) > 0);
        struct loaded base = load(base_text, true), cand = load(cand_text, true);
        assert_int_equal(base.r, 0);
        assert_int_equal(cand.r, 0);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        /* Pass=...* added, Withhold=...A dropped. */
        assert_int_equal(lp_policy_diff(base.policy, cand.policy, f), 2);
        fclose(f);
        assert_non_null(strstr(out, "X* "));
        assert_non_null(strstr(out, "+ environment no longer withholds XXX"));
        free(out);
        free(base_text);
        free(cand_text);
        done(&base);
        done(&cand);
}

/* ---- decoder ---- */

static void test_decode_sockaddr_from_inet(void **state)
{
        struct sockaddr_in in = {.sin_family = AF_INET,
                                 .sin_port = htons(443),
                                 .sin_addr.s_addr = htonl(0xc0000201)};
        struct lp_sockaddr_info sa = decode_sockaddr(&in, sizeof(in), sizeof(in), 0);
        assert_int_equal(sa.family, AF_INET);
        assert_string_equal(sa.text, "192.0.2.1:443");
        assert_false(sa.loopback);
        /* Too short for sockaddr_in: the family only, no port read. */
        sa = decode_sockaddr(&in, sizeof(in), 4, 0);
        assert_string_equal(sa.text, "AF_INET");
}

static void test_decode_sockaddr_from_inet6_v4mapped(void **state)
{
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
        in6.sin6_addr.s6_addr[10] = in6.sin6_addr.s6_addr[11] = 0xff;
        in6.sin6_addr.s6_addr[12] = 127;
        in6.sin6_addr.s6_addr[15] = 1;
        struct lp_sockaddr_info sa = decode_sockaddr(&in6, sizeof(in6), sizeof(in6), 0);
        assert_string_equal(sa.text, "[::ffff:127.0.0.1]:80");
        assert_true(sa.loopback);
}

static void test_decode_sockaddr_from_bad_lengths(void **state)
{
        struct sockaddr_storage ss = {.ss_family = AF_INET};
        struct lp_sockaddr_info sa = decode_sockaddr(&ss, sizeof(ss), 0, -EINVAL);
        assert_int_equal(sa.family, -1);
        sa = decode_sockaddr(&ss, sizeof(ss), sizeof(ss) + 1, -EINVAL);
        assert_string_equal(sa.text, "<bad address length 129>");
        sa = decode_sockaddr(&ss, sizeof(ss), UINT64_MAX, -EINVAL);
        /* Past the end of the tracee's memory: unreadable, not garbage. */
        sa = decode_sockaddr(&ss, 8, 16, -EFAULT);
        assert_string_equal(sa.text, "<unreadable>");
}

/* A length beyond sockaddr_un (up to sockaddr_storage) showed bytes past
 * sun_path; the kernel refuses such an address, so they are not shown. */
static void test_decode_sockaddr_from_unix_overlong(void **state)
{
        unsigned char raw[sizeof(struct sockaddr_storage)];
        memset(raw, 'A', sizeof(raw));
        sa_family_t family = AF_UNIX;
        memcpy(raw, &family, sizeof(family));
        struct lp_sockaddr_info sa = decode_sockaddr(raw, sizeof(raw), sizeof(raw), 0);
        assert_int_equal(strlen(sa.text), sizeof(((struct sockaddr_un *)0)->sun_path));
        raw[2] = '\0'; /* abstract: "@" and the rest of sun_path */
        sa = decode_sockaddr(raw, sizeof(raw), sizeof(raw), 0);
        assert_int_equal(strlen(sa.text), sizeof(((struct sockaddr_un *)0)->sun_path));
        assert_int_equal(sa.text[0], '@');
        sa = decode_sockaddr(raw, sizeof(raw), sizeof(sa_family_t), 0);
        assert_string_equal(sa.text, "<unnamed>");
}

static void test_decode_target_from_connect(void **state)
{
        struct sockaddr_in in = {.sin_family = AF_INET,
                                 .sin_port = htons(5432),
                                 .sin_addr.s_addr = htonl(0x7f000001)};
        struct memory_image im = {.bytes = &in, .size = sizeof(in)};
        struct lp_decode_reader rd = reader(&im);
        uint64_t args[6] = {3, BASE, sizeof(in)};
        struct lp_decoded d;
        lp_call_describe(&rd, "connect", args, &d);
        assert_string_equal(d.target, "connect(tcp 127.0.0.1:5432)");
        assert_string_equal(d.dedupe, d.target);
}

/* A path without a NUL up to the end of the tracee's memory, into display
 * buffers of every small size: always terminated, cut ones end in "..."
 * and, where there is room, the hash of the whole ("...#1a2b3c4d"). */
static void test_decode_target_from_path_sizes(void **state)
{
        char path[600];
        memset(path, 'x', sizeof(path));
        struct memory_image im = {.bytes = path, .size = sizeof(path)};
        struct lp_decode_reader rd = reader(&im);
        uint64_t args[6] = {0, BASE};
        for (size_t size = 1; size <= 300; size++) {
                char *buf = malloc(size);
                assert_non_null(buf);
                lp_decode_string(&rd, BASE, buf, size);
                assert_true(strlen(buf) < size);
                if (size > 13)
                        assert_non_null(strstr(buf, "...#"));
                if (size > 13)
                        assert_int_equal(strlen(strstr(buf, "...#")), 12);
                else if (size > 4)
                        assert_string_equal(buf + strlen(buf) - 3, "...");
                free(buf);
        }
        struct lp_decoded d;
        lp_call_describe(&rd, "openat", args, &d);
        assert_true(strlen(d.target) < sizeof(d.target));
        assert_int_equal(strlen(strstr(d.target, "...#")), 14); /* ...#xxxxxxxx") */
        char buf[64];
        assert_int_equal(lp_decode_string(&rd, BASE, buf, sizeof(buf)), 0);
        assert_int_equal(strlen(buf), sizeof(buf) - 1);
        assert_int_equal(strncmp(buf + sizeof(buf) - 13, "...#", 4), 0);
        /* A notification that went stale: nothing read is shown. */
        im.invalid = true;
        assert_int_equal(lp_decode_string(&rd, BASE, buf, sizeof(buf)), -ESRCH);
        assert_string_equal(buf, "<unreadable>");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_policy_load_include_dev_zero),
                cmocka_unit_test(test_policy_load_dev_zero),
                cmocka_unit_test(test_policy_load_string_sealed_refuses_paths),
                cmocka_unit_test(test_policy_load_string_sealed_embedded),
                cmocka_unit_test(test_policy_diff_long_globs),
                cmocka_unit_test(test_decode_sockaddr_from_inet),
                cmocka_unit_test(test_decode_sockaddr_from_inet6_v4mapped),
                cmocka_unit_test(test_decode_sockaddr_from_bad_lengths),
                cmocka_unit_test(test_decode_sockaddr_from_unix_overlong),
                cmocka_unit_test(test_decode_target_from_connect),
                cmocka_unit_test(test_decode_target_from_path_sizes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
