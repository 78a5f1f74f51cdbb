/* libFuzzer: arbitrary bytes as the SARIF log `run --append --sarif FILE`
 * finds in FILE (findings/sarif_merge.c). The oracle:
 * - an accepted input merged with itself doubles every fingerprint's
 *   total count, and keeps each fingerprint's result once;
 * - what the merge writes is strict JSON, and itself a log the merge
 *   accepts (the next run appends to it). */
#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "findings/sarif_merge.h"
#include "fuzz.h"

#define FINGERPRINT "leastprivFinding/v2"

/* Strict JSON, or NULL. */
static json_object *parse(const char *text, size_t len)
{
        struct json_tokener *tok = json_tokener_new();
        FUZZ_CHECK(tok);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        json_tokener_free(tok);
        return o;
}

static json_object *results_of(json_object *doc)
{
        json_object *runs = json_object_object_get(doc, "runs");
        return json_object_object_get(json_object_array_get_idx(runs, 0), "results");
}

static const char *fingerprint(json_object *result)
{
        return json_object_get_string(json_object_object_get(
                json_object_object_get(result, "partialFingerprints"), FINGERPRINT));
}

static int64_t count(json_object *result)
{
        return json_object_get_int64(
                json_object_object_get(json_object_object_get(result, "properties"), "count"));
}

/* Each fingerprint's total in `before`, twice, is its total in `after`:
 * the first result of a fingerprint gets the addition's, results after
 * it with the same fingerprint (the input's own duplicates) stay as they
 * were. Unsigned: twice a count near 2^63 must not overflow the oracle. */
static uint64_t total_of(json_object *results, const char *fp)
{
        uint64_t total = 0;
        for (size_t j = 0; j < json_object_array_length(results); j++)
                if (strcmp(fp, fingerprint(json_object_array_get_idx(results, j))) == 0)
                        total += (uint64_t)count(json_object_array_get_idx(results, j));
        return total;
}

static void check_doubled(json_object *before, json_object *after)
{
        json_object *in = results_of(before), *out = results_of(after);
        for (size_t i = 0; i < json_object_array_length(in); i++) {
                const char *fp = fingerprint(json_object_array_get_idx(in, i));
                FUZZ_CHECK(total_of(out, fp) == 2 * total_of(in, fp));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data, *why = NULL;
        char *merged = NULL;
        int r = lp_sarif_merge(text, size, text, size, &merged, &why);
        if (r == -EBADMSG || r == -EOVERFLOW) {
                FUZZ_CHECK(!merged);
                return 0;
        }
        FUZZ_CHECK(r == 0 && merged);
        size_t len = strlen(merged);
        json_object *after = parse(merged, len), *before = parse(text, size);
        FUZZ_CHECK(after && before);
        check_doubled(before, after);
        char *again = NULL;
        r = lp_sarif_merge(merged, len, text, size, &again, &why);
        FUZZ_CHECK(r == 0 || r == -EOVERFLOW);
        free(again);
        json_object_put(after);
        json_object_put(before);
        free(merged);
        return 0;
}
