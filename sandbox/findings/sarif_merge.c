/* run --append --sarif FILE: several runs' SARIF logs as one (sarif_merge.h).
 * Only a log this writer's own format describes is merged into: whatever
 * else FILE holds (another tool's log, a log with several runs, a file
 * that is not JSON) is refused whole, never half-merged, because the
 * merge would have to guess what its results mean. */
#include "findings/sarif_merge.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key of partialFingerprints findings/report_sarif.c writes: kind,
 * operation, target without pids, profile. */
#define FINGERPRINT "leastprivFinding/v2"

/* The parts of a log the merge reads and changes; all borrowed from doc. */
struct sarif_log {
        json_object *doc;
        json_object *run;
        json_object *rules; /* tool.driver.rules */
        json_object *results;
};

static json_object *member(json_object *o, const char *key, json_type type)
{
        json_object *v = NULL;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
            !json_object_is_type(v, type))
                return NULL;
        return v;
}

static const char *string_member(json_object *o, const char *key)
{
        json_object *v = member(o, key, json_type_string);
        return v ? json_object_get_string(v) : NULL;
}

/* A count: an integer from 0 to 2^63-1 (json-c keeps larger ones as
 * unsigned, which get_int64 would clamp). */
static bool count_value(json_object *v, int64_t *ret)
{
        if (!json_object_is_type(v, json_type_int))
                return false;
        int64_t n = json_object_get_int64(v);
        if (n < 0 || (uint64_t)n != json_object_get_uint64(v))
                return false;
        *ret = n;
        return true;
}

/* key of o: absent (0) or a count. */
static bool optional_count(json_object *o, const char *key, int64_t *ret)
{
        json_object *v = NULL;
        *ret = 0;
        return !json_object_object_get_ex(o, key, &v) || count_value(v, ret);
}

static int64_t result_count(json_object *result)
{
        int64_t n = 0;
        count_value(json_object_object_get(member(result, "properties", json_type_object), "count"),
                    &n);
        return n;
}

/* Strict JSON of valid UTF-8 with nothing after it but blanks. */
static json_object *parse_json(const char *text, size_t len)
{
        if (len == 0 || len > INT_MAX || memchr(text, '\0', len))
                return NULL;
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return NULL;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        while (o && end < len && strchr(" \t\r\n", text[end]))
                end++;
        if (o && end != len) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static bool valid_tests(json_object *properties)
{
        json_object *tests = NULL;
        if (!json_object_object_get_ex(properties, "test", &tests))
                return true; /* a log written before test names were */
        if (!json_object_is_type(tests, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(tests); i++)
                if (!json_object_is_type(json_object_array_get_idx(tests, i), json_type_string))
                        return false;
        return true;
}

/* As write_result writes it: its rule's id and index agree, it has its
 * fingerprint and a count. */
static bool valid_result(const struct sarif_log *log, json_object *result)
{
        const char *rule_id = string_member(result, "ruleId");
        json_object *index = member(result, "ruleIndex", json_type_int);
        json_object *properties = member(result, "properties", json_type_object);
        int64_t i = index ? json_object_get_int64(index) : -1, count;
        if (!rule_id || i < 0 || (size_t)i >= json_object_array_length(log->rules))
                return false;
        const char *indexed = string_member(json_object_array_get_idx(log->rules, (size_t)i), "id");
        return indexed && strcmp(indexed, rule_id) == 0 &&
               string_member(member(result, "partialFingerprints", json_type_object),
                             FINGERPRINT) &&
               properties && optional_count(properties, "count", &count) &&
               json_object_object_get_ex(properties, "count", NULL) && valid_tests(properties);
}

static bool valid_entries(const struct sarif_log *log, const char **ret_why)
{
        for (size_t i = 0; i < json_object_array_length(log->rules); i++)
                if (!string_member(json_object_array_get_idx(log->rules, i), "id")) {
                        *ret_why = "a rule of it has no id";
                        return false;
                }
        for (size_t i = 0; i < json_object_array_length(log->results); i++)
                if (!valid_result(log, json_object_array_get_idx(log->results, i))) {
                        *ret_why = "a result of it is not one leastpriv writes";
                        return false;
                }
        json_object *properties = NULL;
        int64_t n;
        if (json_object_object_get_ex(log->run, "properties", &properties) &&
            (!json_object_is_type(properties, json_type_object) ||
             !optional_count(properties, "foldedOccurrences", &n) ||
             !optional_count(properties, "foldedDistinctFindings", &n))) {
                *ret_why = "its run's properties are not the ones leastpriv writes";
                return false;
        }
        return true;
}

/* text as a log leastpriv wrote, or false with *ret_why. */
static bool open_log(const char *text, size_t len, struct sarif_log *log, const char **ret_why)
{
        *log = (struct sarif_log){.doc = parse_json(text, len)};
        json_object *runs = member(log->doc, "runs", json_type_array);
        const char *version = string_member(log->doc, "version");
        json_object *driver = member(
                member(runs ? json_object_array_get_idx(runs, 0) : NULL, "tool", json_type_object),
                "driver", json_type_object);
        const char *name = string_member(driver, "name");
        if (!log->doc)
                *ret_why = "it is not JSON";
        else if (!version || strcmp(version, "2.1.0") != 0)
                *ret_why = "it is not a SARIF 2.1.0 log";
        else if (!runs || json_object_array_length(runs) != 1)
                *ret_why = "it does not hold exactly one run";
        else if (!name || strcmp(name, "leastpriv") != 0)
                *ret_why = "its tool is not leastpriv";
        else if (!(log->rules = member(driver, "rules", json_type_array)) ||
                 !(log->results =
                           member(json_object_array_get_idx(runs, 0), "results", json_type_array)))
                *ret_why = "it has no rules or no results";
        else if ((log->run = json_object_array_get_idx(runs, 0)) && valid_entries(log, ret_why))
                return true;
        json_object_put(log->doc);
        log->doc = NULL;
        return false;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t collect_tests(json_object *properties, const char **names, size_t n)
{
        json_object *tests = member(properties, "test", json_type_array);
        for (size_t i = 0; tests && i < json_object_array_length(tests); i++)
                names[n++] = json_object_get_string(json_object_array_get_idx(tests, i));
        return n;
}

/* properties.test: the sorted names of the tests that had the finding,
 * each once. */
static int union_tests(json_object *into, json_object *from)
{
        json_object *a = member(into, "test", json_type_array);
        json_object *b = member(from, "test", json_type_array);
        size_t n = (a ? json_object_array_length(a) : 0) + (b ? json_object_array_length(b) : 0);
        const char **names = calloc(n + 1, sizeof(*names));
        json_object *merged = json_object_new_array();
        int r = names && merged ? 0 : -ENOMEM;
        if (r == 0) {
                n = collect_tests(from, names, collect_tests(into, names, 0));
                qsort(names, n, sizeof(*names), by_name);
        }
        for (size_t i = 0; r == 0 && i < n; i++)
                if ((i == 0 || strcmp(names[i], names[i - 1]) != 0) &&
                    json_object_array_add(merged, json_object_new_string(names[i])) < 0)
                        r = -ENOMEM;
        free(names);
        if (r == 0 && json_object_object_add(into, "test", merged) == 0)
                return 0;
        json_object_put(merged);
        return -ENOMEM;
}

/* The message says "... N times[ by EXE][. To grant it: FIX]" of one run:
 * made to say the sum. Text for a reader; properties.count is the data. */
static int recount_message(json_object *result, int64_t was, int64_t now)
{
        json_object *message = member(result, "message", json_type_object);
        const char *text = string_member(message, "text");
        char old_text[48], new_text[48];
        snprintf(old_text, sizeof(old_text), " %" PRId64 " time%s", was, was == 1 ? "" : "s");
        snprintf(new_text, sizeof(new_text), " %" PRId64 " time%s", now, now == 1 ? "" : "s");
        for (const char *at = text ? strstr(text, old_text) : NULL; at;
             at = strstr(at + 1, old_text)) {
                const char *after = at + strlen(old_text);
                if (*after && strncmp(after, " by ", 4) != 0 &&
                    strncmp(after, ". To grant it: ", 15) != 0)
                        continue;
                char *joined = NULL;
                if (asprintf(&joined, "%.*s%s%s", (int)(at - text), text, new_text, after) < 0)
                        return -ENOMEM;
                json_object *s = json_object_new_string(joined);
                free(joined);
                if (!s || json_object_object_add(message, "text", s) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
                return 0;
        }
        return 0;
}

/* A result of the addition with a fingerprint already in the log. */
static int add_to_result(json_object *into, json_object *from)
{
        json_object *into_properties = member(into, "properties", json_type_object);
        int64_t was = result_count(into), more = result_count(from);
        if (more > INT64_MAX - was)
                return -EOVERFLOW;
        json_object *sum = json_object_new_int64(was + more);
        if (!sum || json_object_object_add(into_properties, "count", sum) < 0) {
                json_object_put(sum);
                return -ENOMEM;
        }
        int r = recount_message(into, was, was + more);
        return r < 0 ? r
                     : union_tests(into_properties, member(from, "properties", json_type_object));
}

/* name -> value in a json-c object used as a hash table, first one kept. */
static int index_add(json_object *index, const char *name, size_t value)
{
        if (json_object_object_get_ex(index, name, NULL))
                return 0;
        json_object *v = json_object_new_int64((int64_t)value);
        if (!v || json_object_object_add(index, name, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int64_t index_get(json_object *index, const char *name)
{
        json_object *v = NULL;
        return json_object_object_get_ex(index, name, &v) ? json_object_get_int64(v) : -1;
}

/* Moves a json-c value into an array; -ENOMEM leaves it with the caller. */
static int array_append(json_object *array, json_object *v)
{
        if (json_object_array_add(array, json_object_get(v)) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* The union of the rules by id; rule_index gets each id's place. */
static int merge_rules(struct sarif_log *into, const struct sarif_log *from,
                       json_object *rule_index)
{
        int r = 0;
        for (size_t i = 0; r == 0 && i < json_object_array_length(into->rules); i++)
                r = index_add(rule_index,
                              string_member(json_object_array_get_idx(into->rules, i), "id"), i);
        for (size_t i = 0; r == 0 && i < json_object_array_length(from->rules); i++) {
                json_object *rule = json_object_array_get_idx(from->rules, i);
                const char *id = string_member(rule, "id");
                if (index_get(rule_index, id) >= 0)
                        continue;
                r = index_add(rule_index, id, json_object_array_length(into->rules));
                if (r == 0)
                        r = array_append(into->rules, rule);
        }
        return r;
}

/* A result new to the log, with its rule's place in the merged rules. */
static int append_result(struct sarif_log *into, json_object *result, json_object *rule_index,
                         json_object *fingerprints)
{
        int64_t rule = index_get(rule_index, string_member(result, "ruleId"));
        const char *fingerprint =
                string_member(member(result, "partialFingerprints", json_type_object), FINGERPRINT);
        json_object *v = json_object_new_int64(rule);
        if (!v || json_object_object_add(result, "ruleIndex", v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        int r = index_add(fingerprints, fingerprint, json_object_array_length(into->results));
        return r < 0 ? r : array_append(into->results, result);
}

static int merge_results(struct sarif_log *into, const struct sarif_log *from,
                         json_object *rule_index)
{
        json_object *fingerprints = json_object_new_object();
        int r = fingerprints ? 0 : -ENOMEM;
        for (size_t i = 0; r == 0 && i < json_object_array_length(into->results); i++) {
                json_object *result = json_object_array_get_idx(into->results, i);
                r = index_add(fingerprints,
                              string_member(member(result, "partialFingerprints", json_type_object),
                                            FINGERPRINT),
                              i);
        }
        for (size_t i = 0; r == 0 && i < json_object_array_length(from->results); i++) {
                json_object *result = json_object_array_get_idx(from->results, i);
                int64_t at = index_get(
                        fingerprints,
                        string_member(member(result, "partialFingerprints", json_type_object),
                                      FINGERPRINT));
                if (at >= 0)
                        r = add_to_result(json_object_array_get_idx(into->results, (size_t)at),
                                          result);
                else
                        r = append_result(into, result, rule_index, fingerprints);
        }
        json_object_put(fingerprints);
        return r;
}

/* The run's count of folded occurrences, and of the findings they were. */
static int merge_folded(struct sarif_log *into, const struct sarif_log *from)
{
        static const char *const keys[] = {"foldedOccurrences", "foldedDistinctFindings"};
        json_object *more = member(from->run, "properties", json_type_object);
        json_object *properties = member(into->run, "properties", json_type_object);
        for (size_t k = 0; more && k < 2; k++) {
                int64_t a = 0, b = 0;
                optional_count(more, keys[k], &b);
                if (b == 0)
                        continue;
                if (!properties) {
                        properties = json_object_new_object();
                        if (!properties ||
                            json_object_object_add(into->run, "properties", properties) < 0) {
                                json_object_put(properties);
                                return -ENOMEM;
                        }
                }
                optional_count(properties, keys[k], &a);
                if (b > INT64_MAX - a)
                        return -EOVERFLOW;
                json_object *sum = json_object_new_int64(a + b);
                if (!sum || json_object_object_add(properties, keys[k], sum) < 0) {
                        json_object_put(sum);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int merge_logs(struct sarif_log *into, const struct sarif_log *from)
{
        json_object *rule_index = json_object_new_object();
        int r = rule_index ? merge_rules(into, from, rule_index) : -ENOMEM;
        if (r == 0)
                r = merge_results(into, from, rule_index);
        if (r == 0)
                r = merge_folded(into, from);
        json_object_put(rule_index);
        return r;
}

int lp_sarif_merge(const char *existing, size_t existing_len, const char *addition,
                   size_t addition_len, char **ret_merged, const char **ret_why)
{
        struct sarif_log into, from;
        *ret_why = NULL;
        if (!open_log(existing, existing_len, &into, ret_why))
                return -EBADMSG;
        if (!open_log(addition, addition_len, &from, ret_why)) {
                json_object_put(into.doc);
                return -EINVAL;
        }
        int r = merge_logs(&into, &from);
        const char *text =
                r == 0 ? json_object_to_json_string_ext(
                                 into.doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                       : NULL;
        char *merged = NULL;
        if (r == 0 && (!text || asprintf(&merged, "%s\n", text) < 0))
                r = -ENOMEM;
        json_object_put(into.doc);
        json_object_put(from.doc);
        if (r == 0)
                *ret_merged = merged;
        return r;
}
