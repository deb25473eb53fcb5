/* Runs the official JSON-Schema-Test-Suite (Debian package
 * json-schema-test-suite) against core/schema.c for the keywords libmcp
 * supports. Every case runs unless the explicit SKIPS table below names it
 * (file + group description + test description) with a reason; any other
 * mismatch fails the test. draft7 data is read as draft-07 (its $ref rule);
 * draft2020-12 data is used too whenever a newer package ships it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "core/schema.h"

#define DEFAULT_SUITE_ROOT "/usr/share/json-schema-test-suite/tests"
#define DRAFT07_URI        "http://json-schema.org/draft-07/schema#"

/* Keyword files for what core/schema.c implements; files a draft lacks are
 * reported and passed over (2020-12 renames some, e.g. definitions -> defs). */
static const char *const SUITE_FILES[] = {
    "type.json",
    "enum.json",
    "const.json",
    "default.json",
    "boolean_schema.json",
    "minimum.json",
    "maximum.json",
    "exclusiveMinimum.json",
    "exclusiveMaximum.json",
    "multipleOf.json",
    "minLength.json",
    "maxLength.json",
    "pattern.json",
    "items.json",
    "prefixItems.json",
    "additionalItems.json",
    "minItems.json",
    "maxItems.json",
    "uniqueItems.json",
    "properties.json",
    "patternProperties.json",
    "additionalProperties.json",
    "required.json",
    "minProperties.json",
    "maxProperties.json",
    "allOf.json",
    "anyOf.json",
    "oneOf.json",
    "not.json",
    "ref.json",
    "definitions.json",
    "defs.json",
    "optional/bignum.json",
    "optional/zeroTerminatedFloats.json",
    "optional/ecmascript-regex.json",
    "optional/format/date-time.json",
    "optional/format/date.json",
    "optional/format/time.json",
    "optional/format/email.json",
    "optional/format/uri.json",
};
#define SUITE_FILE_COUNT (sizeof SUITE_FILES / sizeof SUITE_FILES[0])

/* test == NULL skips every case of the group. */
typedef struct {
    const char *draft;
    const char *file;
    const char *group;
    const char *test;
    const char *reason;
} skip_entry;

/* Entries cover Debian 12's suite (2.0.0) and the upstream layout a newer
 * package would ship; an entry that matches nothing is only noted. */
#define REMOTE           "remote refs"
#define BY_ID            "$id/$anchor-based refs"
#define UNEVALUATED      "unevaluated* keywords"
#define UNICODE_PROPERTY "regex \\p{...} escapes"
#define FORMAT_REGEX     "format \"regex\" not checked"
#define NUL_IN_STRING    "NUL inside strings (cJSON ends strings at NUL)"

static const skip_entry SKIPS[] = {
    /* $ref to another document (a meta-schema, localhost:1234, a URN): rejected at compile time by design. */
    {"draft7", "ref.json", "remote ref, containing refs itself", NULL, REMOTE},
    {"draft7", "definitions.json", "valid definition", NULL, REMOTE},
    {"draft7", "definitions.json", "invalid definition", NULL, REMOTE},
    {"draft7", "definitions.json", "validate definition against metaschema", NULL, REMOTE},
    {"draft2020-12", "ref.json", "remote ref, containing refs itself", NULL, REMOTE},
    {"draft2020-12", "defs.json", "validate definition against metaschema", NULL, REMOTE},

    /* References resolved through $id base URIs or $anchor names; only "#/json/pointer" refs are supported. */
    {"draft7", "ref.json", "Recursive references between schemas", NULL, BY_ID},
    {"draft7", "ref.json", "$ref prevents a sibling $id from changing the base uri", NULL, BY_ID},
    {"draft7", "ref.json", "Location-independent identifier", NULL, BY_ID},
    {"draft7", "ref.json", "Reference an anchor with a non-relative URI", NULL, BY_ID},
    {"draft7", "ref.json", "Location-independent identifier with base URI change in subschema", NULL, BY_ID},
    {"draft7", "ref.json", "refs with relative uris and defs", NULL, BY_ID},
    {"draft7", "ref.json", "relative refs with absolute uris and defs", NULL, BY_ID},
    {"draft7", "ref.json", "$id must be resolved against nearest parent, not just immediate parent", NULL, BY_ID},
    {"draft7", "ref.json", "simple URN base URI with $ref via the URN", NULL, BY_ID},
    {"draft7", "ref.json", "URN base URI with URN and JSON pointer ref", NULL, BY_ID},
    {"draft7", "ref.json", "URN base URI with URN and anchor ref", NULL, BY_ID},
    {"draft7", "ref.json", "ref to if", NULL, BY_ID},
    {"draft7", "ref.json", "ref to then", NULL, BY_ID},
    {"draft7", "ref.json", "ref to else", NULL, BY_ID},
    {"draft7", "ref.json", "ref with absolute-path-reference", NULL, BY_ID},
    {"draft2020-12", "ref.json", "Recursive references between schemas", NULL, BY_ID},
    {"draft2020-12", "ref.json", "refs with relative uris and defs", NULL, BY_ID},
    {"draft2020-12", "ref.json", "relative refs with absolute uris and defs", NULL, BY_ID},
    {"draft2020-12", "ref.json", "$id must be resolved against nearest parent, not just immediate parent", NULL, BY_ID},
    {"draft2020-12", "ref.json", "order of evaluation: $id and $ref", NULL, BY_ID},
    {"draft2020-12", "ref.json", "order of evaluation: $id and $anchor and $ref", NULL, BY_ID},
    {"draft2020-12", "ref.json", "order of evaluation: $id and $ref on nested schema", NULL, BY_ID},
    {"draft2020-12", "ref.json", "simple URN base URI with $ref via the URN", NULL, BY_ID},
    {"draft2020-12", "ref.json", "URN base URI with URN and JSON pointer ref", NULL, BY_ID},
    {"draft2020-12", "ref.json", "URN base URI with URN and anchor ref", NULL, BY_ID},
    {"draft2020-12", "ref.json", "URN ref with nested pointer ref", NULL, BY_ID},
    {"draft2020-12", "ref.json", "ref to if", NULL, BY_ID},
    {"draft2020-12", "ref.json", "ref to then", NULL, BY_ID},
    {"draft2020-12", "ref.json", "ref to else", NULL, BY_ID},
    {"draft2020-12", "ref.json", "ref with absolute-path-reference", NULL, BY_ID},

    /* unevaluatedProperties is not implemented (ignored like any unknown keyword). */
    {"draft2020-12", "not.json", "collect annotations inside a 'not', even if collection is disabled", NULL,
     UNEVALUATED},
    {"draft2020-12", "ref.json", "ref creates new scope when adjacent to keywords", NULL, UNEVALUATED},

    /* POSIX regex has no Unicode properties; such patterns are refused at compile time. */
    {"draft2020-12", "pattern.json", "pattern with Unicode property escape requires unicode mode", NULL,
     UNICODE_PROPERTY},
    {"draft2020-12", "patternProperties.json", "patternProperties with Unicode property escape", NULL,
     UNICODE_PROPERTY},

    {"draft7", "optional/ecmascript-regex.json", "patterns always use unicode semantics with pattern", NULL,
     UNICODE_PROPERTY},
    {"draft7", "optional/ecmascript-regex.json", "patterns always use unicode semantics with patternProperties", NULL,
     UNICODE_PROPERTY},
    {"draft7", "optional/ecmascript-regex.json", "pattern with non-ASCII digits", NULL, UNICODE_PROPERTY},
    {"draft7", "optional/ecmascript-regex.json", "patternProperties with non-ASCII digits", NULL, UNICODE_PROPERTY},
    {"draft2020-12", "optional/ecmascript-regex.json", "patterns always use unicode semantics with pattern", NULL,
     UNICODE_PROPERTY},
    {"draft2020-12", "optional/ecmascript-regex.json", "patterns always use unicode semantics with patternProperties",
     NULL, UNICODE_PROPERTY},
    {"draft2020-12", "optional/ecmascript-regex.json", "pattern with non-ASCII digits", NULL, UNICODE_PROPERTY},
    {"draft2020-12", "optional/ecmascript-regex.json", "patternProperties with non-ASCII digits", NULL,
     UNICODE_PROPERTY},

    /* The "regex" format (is this string a valid ECMA regex?) is not checked; unknown formats are annotations. */
    {"draft7", "optional/ecmascript-regex.json", "ECMA 262 regex non-compliance", NULL, FORMAT_REGEX},

    /* "\u0000" in the data: cJSON truncates the string there, so the tail is never seen. */
    {"draft7", "optional/format/date.json", "validation of date strings",
     "invalid: NUL character after an otherwise valid full-date", NUL_IN_STRING},
    {"draft2020-12", "optional/format/date.json", "validation of date strings",
     "invalid: NUL character after an otherwise valid full-date", NUL_IN_STRING},
};
#define SKIP_COUNT (sizeof SKIPS / sizeof SKIPS[0])

#define MAX_REASONS 16

typedef struct {
    const char *draft;
    int total, passed, skipped, failed;
    const char *reasons[MAX_REASONS];
    int reason_counts[MAX_REASONS];
    int skip_used[SKIP_COUNT];
} tally;

static const char *suite_root(void)
{
    const char *root = getenv("MCP_SCHEMA_SUITE_DIR");
    return root && *root ? root : DEFAULT_SUITE_ROOT;
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(data, cap);
            if (!grown) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (data)
        data[len] = '\0';
    return data;
}

/* Index into SKIPS covering this case, or -1. */
static int find_skip(const char *draft, const char *file, const char *group, const char *test)
{
    for (size_t i = 0; i < SKIP_COUNT; i++) {
        const skip_entry *s = &SKIPS[i];
        if (strcmp(s->draft, draft) == 0 && strcmp(s->file, file) == 0 && strcmp(s->group, group) == 0 &&
            (!s->test || (test && strcmp(s->test, test) == 0)))
            return (int)i;
    }
    return -1;
}

static void count_skip(tally *t, int entry)
{
    t->skipped++;
    t->skip_used[entry] = 1;
    const char *reason = SKIPS[entry].reason;
    for (int i = 0; i < MAX_REASONS; i++) {
        if (!t->reasons[i])
            t->reasons[i] = reason;
        if (strcmp(t->reasons[i], reason) == 0) {
            t->reason_counts[i]++;
            return;
        }
    }
}

static const char *description(const cJSON *object)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(object, "description");
    return cJSON_IsString(d) ? d->valuestring : "(no description)";
}

/* draft7 data means draft-07 rules ($ref hides siblings); say so explicitly. */
static cJSON *schema_for_draft(const tally *t, const cJSON *schema)
{
    cJSON *copy = cJSON_Duplicate(schema, 1);
    if (copy && strcmp(t->draft, "draft7") == 0 && cJSON_IsObject(copy) &&
        !cJSON_GetObjectItemCaseSensitive(copy, "$schema"))
        cJSON_AddStringToObject(copy, "$schema", DRAFT07_URI);
    return copy;
}

static void run_case(tally *t, const char *file, const char *group, const mcp_schema *schema, const char *compile_error,
                     const cJSON *test)
{
    const char *name = description(test);
    int skip = find_skip(t->draft, file, group, name);
    t->total++;
    if (skip >= 0) {
        count_skip(t, skip);
        return;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
    int expected_valid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(test, "valid"));
    char err[512] = "";
    if (!schema) {
        t->failed++;
        printf("FAIL %s/%s | %s | %s: schema did not compile: %s\n", t->draft, file, group, name, compile_error);
        return;
    }
    int valid = mcp__schema_validate(schema, data, err, sizeof err) == 0;
    if (valid == expected_valid) {
        t->passed++;
        return;
    }
    t->failed++;
    printf("FAIL %s/%s | %s | %s: expected %s, got %s%s%s\n", t->draft, file, group, name,
           expected_valid ? "valid" : "invalid", valid ? "valid" : "invalid", valid ? "" : ": ", valid ? "" : err);
}

static void run_group(tally *t, const char *file, const cJSON *group)
{
    const char *name = description(group);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
    int whole_group = find_skip(t->draft, file, name, NULL);
    if (whole_group >= 0 && !SKIPS[whole_group].test) {
        for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next) {
            t->total++;
            count_skip(t, whole_group);
        }
        return;
    }
    cJSON *schema_json = schema_for_draft(t, cJSON_GetObjectItemCaseSensitive(group, "schema"));
    char err[512] = "";
    mcp_schema *schema = mcp__schema_compile(schema_json, err, sizeof err);
    for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next)
        run_case(t, file, name, schema, err, test);
    mcp__schema_free(schema);
    cJSON_Delete(schema_json);
}

static void run_file(tally *t, const char *dir, const char *file)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    assert_true(n > 0 && (size_t)n < sizeof path);
    char *text = read_file(path);
    if (!text) {
        printf("note: %s/%s not present, not run\n", t->draft, file);
        return;
    }
    cJSON *groups = cJSON_Parse(text);
    free(text);
    assert_non_null(groups);
    for (const cJSON *group = groups->child; group; group = group->next)
        run_group(t, file, group);
    cJSON_Delete(groups);
}

static void print_summary(const tally *t)
{
    printf("schema suite (%s): %d of %d cases passed (%d skipped", t->draft, t->passed, t->total, t->skipped);
    for (int i = 0; i < MAX_REASONS && t->reasons[i]; i++)
        printf("%s%s %d", i ? ", " : ": ", t->reasons[i], t->reason_counts[i]);
    printf("; %d failed)\n", t->failed);
    int unused = 0;
    for (size_t i = 0; i < SKIP_COUNT; i++)
        unused += strcmp(SKIPS[i].draft, t->draft) == 0 && !t->skip_used[i];
    if (unused)
        printf("note: %d %s skip entries matched nothing (they cover other suite versions)\n", unused, t->draft);
    fflush(stdout);
}

static void run_draft(const char *draft)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", suite_root(), draft);
    if (!is_directory(dir)) {
        printf("note: %s not installed (package json-schema-test-suite); not run\n", dir);
        skip();
    }
    tally t;
    memset(&t, 0, sizeof t);
    t.draft = draft;
    for (size_t i = 0; i < SUITE_FILE_COUNT; i++)
        run_file(&t, dir, SUITE_FILES[i]);
    print_summary(&t);
    assert_true(t.passed > 0);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.passed + t.skipped, t.total);
}

static void test_draft7_suite_cases_pass(void **state)
{
    (void)state;
    run_draft("draft7");
}

static void test_draft2020_12_suite_cases_pass(void **state)
{
    (void)state;
    run_draft("draft2020-12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft7_suite_cases_pass),
        cmocka_unit_test(test_draft2020_12_suite_cases_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
