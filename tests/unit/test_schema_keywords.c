/* The schema engine through its public API (include/mcp/schema.h): the
 * 2020-12 keywords beyond the basics (unevaluated*, if/then/else,
 * dependent*, contains bounds, propertyNames, $anchor, $dynamicRef), the
 * 2019-09 and draft-07 dialects, references across registered documents,
 * "never silently ignore", every-error reporting, and formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mcp/error.h>
#include <mcp/schema.h>

/* Single quotes in test JSON stand for double quotes. */
static cJSON *parse(const char *relaxed)
{
    char *text = strdup(relaxed);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json)
        fail_msg("test JSON does not parse: %s", relaxed);
    return json;
}

static mcp_schema_registry *registry;

static mcp_schema *compile_opts(const char *schema_text, const mcp_schema_options *opts)
{
    cJSON *json = parse(schema_text);
    char err[512] = "";
    mcp_schema *schema = mcp_schema_compile(json, opts, err, sizeof err);
    cJSON_Delete(json);
    if (!schema)
        fail_msg("schema %s did not compile: %s", schema_text, err);
    return schema;
}

static int check(const char *schema_text, const char *instance_text, char *err, size_t errlen)
{
    mcp_schema_options opts = {registry, NULL, 0, 0};
    mcp_schema *schema = compile_opts(schema_text, &opts);
    cJSON *instance = parse(instance_text);
    int rc = mcp_schema_validate(schema, instance, err, errlen);
    cJSON_Delete(instance);
    mcp_schema_free(schema);
    return rc;
}

static void valid(const char *schema, const char *instance)
{
    char err[512] = "";
    if (check(schema, instance, err, sizeof err) != 0)
        fail_msg("%s should accept %s but said: %s", schema, instance, err);
}

static void invalid(const char *schema, const char *instance, const char *part)
{
    char err[512] = "";
    if (check(schema, instance, err, sizeof err) == 0)
        fail_msg("%s should reject %s", schema, instance);
    if (!strstr(err, part))
        fail_msg("message \"%s\" does not mention \"%s\"", err, part);
}

static void compile_error(const char *schema_text, const char *part)
{
    cJSON *json = parse(schema_text);
    char err[512] = "";
    mcp_schema *schema = mcp_schema_compile(json, NULL, err, sizeof err);
    cJSON_Delete(json);
    if (schema) {
        mcp_schema_free(schema);
        fail_msg("%s should not compile", schema_text);
    }
    if (!strstr(err, part))
        fail_msg("compile error \"%s\" does not mention \"%s\"", err, part);
}

static void test_unevaluated_properties_sees_through_applicators(void **state)
{
    (void)state;
    const char *s = "{'properties':{'a':{}},'allOf':[{'properties':{'b':{}}}],"
                    "'anyOf':[{'properties':{'c':{}},'required':['c']},{'required':['d']}],"
                    "'unevaluatedProperties':false}";
    valid(s, "{'a':1,'b':2,'c':3}");
    invalid(s, "{'a':1,'d':4}", "/d: property not allowed (unevaluatedProperties is false)");
    /* annotations of a failed branch do not count */
    const char *cond = "{'if':{'properties':{'kind':{'const':'x'}},'required':['kind']},"
                       "'then':{'properties':{'x':{}}},'else':{'properties':{'y':{}}},'unevaluatedProperties':false}";
    valid(cond, "{'kind':'x','x':1}");
    invalid(cond, "{'kind':'z','y':1}", "/kind: property not allowed"); /* the failed if evaluated nothing */
    valid("{'$defs':{'d':{'properties':{'r':{}}}},'$ref':'#/$defs/d','unevaluatedProperties':false}", "{'r':1}");
}

static void test_unevaluated_items_with_prefix_and_contains(void **state)
{
    (void)state;
    const char *s = "{'prefixItems':[{'type':'string'}],'contains':{'type':'number'},'unevaluatedItems':false}";
    valid(s, "['a',1,2]");
    invalid(s, "['a',1,true]", "/2: item not allowed (unevaluatedItems is false)");
    invalid("{'unevaluatedItems':{'type':'string'}}", "['a',3]", "/1: expected string, got number");
}

static void test_if_then_else(void **state)
{
    (void)state;
    const char *s = "{'if':{'type':'integer'},'then':{'minimum':10},'else':{'type':'string'}}";
    valid(s, "12");
    invalid(s, "3", "must be >= 10, got 3");
    valid(s, "'text'");
    invalid(s, "true", "expected string, got boolean");
    valid("{'then':{'type':'string'}}", "3"); /* then without if is nothing */
}

static void test_dependent_required_and_schemas(void **state)
{
    (void)state;
    invalid("{'dependentRequired':{'card':['billing']}}", "{'card':1}",
            "missing property \"billing\", required when \"card\" is present");
    valid("{'dependentRequired':{'card':['billing']}}", "{'other':1}");
    invalid("{'dependentSchemas':{'card':{'required':['cvv']}}}", "{'card':1}", "missing required property \"cvv\"");
    /* draft-07 dependencies, both forms */
    const char *d7 = "{'$schema':'http://json-schema.org/draft-07/schema#',"
                     "'dependencies':{'a':['b'],'c':{'required':['d']}}}";
    invalid(d7, "{'a':1}", "\"b\"");
    invalid(d7, "{'c':1}", "\"d\"");
    valid(d7, "{'a':1,'b':2,'c':3,'d':4}");
}

static void test_contains_bounds(void **state)
{
    (void)state;
    const char *s = "{'contains':{'const':1},'minContains':2,'maxContains':3}";
    invalid(s, "[1,0]", "must contain at least 2 items matching \"contains\", got 1");
    valid(s, "[1,1,0]");
    invalid(s, "[1,1,1,1]", "at most 3");
    valid("{'contains':{'const':1},'minContains':0}", "[]");
    invalid("{'contains':{'const':1}}", "[]", "at least 1 item");
}

static void test_property_names(void **state)
{
    (void)state;
    const char *s = "{'propertyNames':{'pattern':'^[a-z]+$'}}";
    valid(s, "{'abc':1}");
    invalid(s, "{'Abc':1}", "/Abc: property name does not match \"propertyNames\"");
}

static void test_anchor_and_id_references(void **state)
{
    (void)state;
    valid("{'$ref':'#pos','$defs':{'p':{'$anchor':'pos','minimum':0}}}", "1");
    invalid("{'$ref':'#pos','$defs':{'p':{'$anchor':'pos','minimum':0}}}", "-1", "must be >= 0");
    const char *ids = "{'$id':'https://example.com/root.json','$ref':'item.json',"
                      "'$defs':{'i':{'$id':'item.json','type':'integer'}}}";
    valid(ids, "3");
    invalid(ids, "'x'", "expected integer");
}

static void test_dynamic_ref_extends_a_recursive_schema(void **state)
{
    (void)state;
    /* a generic tree whose node type the outer schema fills in */
    const char *s = "{'$id':'https://example.com/strict-tree','$dynamicAnchor':'node','$ref':'tree',"
                    "'unevaluatedProperties':false,"
                    "'$defs':{'tree':{'$id':'tree','$dynamicAnchor':'node','type':'object',"
                    "'properties':{'data':true,'children':{'type':'array','items':{'$dynamicRef':'#node'}}}}}}";
    valid(s, "{'children':[{'data':1}]}");
    invalid(s, "{'children':[{'daat':1}]}", "/children/0/daat");
}

static void test_recursive_ref_in_2019_09(void **state)
{
    (void)state;
    const char *s = "{'$schema':'https://json-schema.org/draft/2019-09/schema','$id':'https://example.com/a',"
                    "'$recursiveAnchor':true,'type':'object','additionalProperties':{'$recursiveRef':'#'}}";
    valid(s, "{'a':{'b':{}}}");
    invalid(s, "{'a':{'b':1}}", "/a/b: expected object");
}

static void test_references_across_registered_documents(void **state)
{
    (void)state;
    valid("{'properties':{'id':{'$ref':'https://example.com/defs.json#/$defs/id'}}}", "{'id':'ab-12'}");
    invalid("{'properties':{'id':{'$ref':'https://example.com/defs.json#/$defs/id'}}}", "{'id':'x'}",
            "/id: must match the pattern");
    invalid("{'$ref':'https://example.com/defs.json#positive'}", "0", "must be > 0");
    char err[256];
    cJSON *doc = parse("{}");
    assert_int_equal(mcp_schema_registry_add(registry, "https://example.com/defs.json", doc, err, sizeof err),
                     -MCP_EINVAL);
    assert_non_null(strstr(err, "already registered"));
    assert_int_equal(mcp_schema_registry_add(registry, "https://example.com/x#frag", doc, err, sizeof err),
                     -MCP_EINVAL);
    cJSON_Delete(doc);
    /* without the registry the reference is refused, never fetched */
    compile_error("{'$ref':'https://example.com/defs.json#/$defs/id'}", "references are never fetched");
}

static void test_draft07_and_2019_dialects(void **state)
{
    (void)state;
    const char *d7 = "{'$schema':'http://json-schema.org/draft-07/schema#','items':[{'type':'string'}],"
                     "'additionalItems':false}";
    valid(d7, "['a']");
    invalid(d7, "['a',1]", "at most 1 items");
    /* in 2019-09 prefixItems is no keyword, so it is an annotation */
    valid("{'$schema':'https://json-schema.org/draft/2019-09/schema','prefixItems':[{'type':'string'}]}", "[1]");
    compile_error("{'$schema':'http://json-schema.org/draft-04/schema#'}",
                  "#/$schema: unsupported JSON Schema dialect");
}

static void test_known_keywords_are_never_silently_ignored(void **state)
{
    (void)state;
    compile_error("{'minContains':-1}", "#/minContains: must be a non-negative integer");
    compile_error("{'dependentRequired':{'a':[1]}}", "#/dependentRequired/a: property names must be strings");
    compile_error("{'propertyNames':3}", "#/propertyNames: a schema must be an object or a boolean");
    compile_error("{'$dynamicRef':'#nowhere'}", "#/$dynamicRef");
    valid("{'x-vendor':{'anything':true}}", "1"); /* unknown keywords are annotations */
}

static void test_validate_all_reports_every_error(void **state)
{
    (void)state;
    mcp_schema *s = compile_opts("{'type':'object','required':['a','b'],'properties':{'c':{'type':'string'},"
                                 "'d':{'minimum':5}}}",
                                 NULL);
    cJSON *instance = parse("{'c':1,'d':2}");
    cJSON *errors = NULL;
    assert_int_equal(mcp_schema_validate_all(s, instance, &errors), -1);
    assert_int_equal(cJSON_GetArraySize(errors), 4);
    const char *locations[4] = {"", "", "/c", "/d"};
    for (int i = 0; i < 4; i++) {
        const cJSON *e = cJSON_GetArrayItem(errors, i);
        assert_string_equal(cJSON_GetObjectItem(e, "instanceLocation")->valuestring, locations[i]);
    }
    cJSON_Delete(errors);
    cJSON_Delete(instance);
    instance = parse("{'a':1,'b':2}");
    assert_int_equal(mcp_schema_validate_all(s, instance, &errors), 0);
    assert_null(errors);
    cJSON_Delete(instance);
    mcp_schema_free(s);
}

static void test_formats(void **state)
{
    (void)state;
    static const struct {
        const char *format, *good, *bad;
    } cases[] = {
        {"uuid", "123e4567-e89b-12d3-a456-426614174000", "nope"},
        {"ipv4", "192.0.2.1", "256.1.1.1"},
        {"ipv6", "2001:db8::1", "2001:db8:::1"},
        {"hostname", "xn--bcher-kva.example", "-bad-.example"},
        {"idn-hostname", "b\\u00fccher.example", "a\\u3002\\u3002b"},
        {"duration", "P1Y2M3DT4H5M6S", "P1D2Y"},
        {"uri-reference", "../a?b#c", "\\\\\\\\bad"},
        {"iri", "https://\\u00e9xample.org/\\u00e9", "no-scheme"},
        {"uri-template", "https://example.com/{id}{?q*}", "{unclosed"},
        {"json-pointer", "/a~1b/0", "a/b"},
        {"relative-json-pointer", "1/a", "-1/a"},
        {"regex", "^[a-z]+$", "(unclosed"},
        {"idn-email", "\\u00e9@example.com", "no-at"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char schema[128], good[256], bad[256];
        snprintf(schema, sizeof schema, "{'format':'%s'}", cases[i].format);
        snprintf(good, sizeof good, "'%s'", cases[i].good);
        snprintf(bad, sizeof bad, "'%s'", cases[i].bad);
        valid(schema, good);
        invalid(schema, bad, "must be");
    }
    /* the switch: format as an annotation only */
    mcp_schema_options opts = {NULL, NULL, 1, 0};
    mcp_schema *s = compile_opts("{'format':'uuid'}", &opts);
    cJSON *nope = parse("'nope'");
    char err[128];
    assert_int_equal(mcp_schema_validate(s, nope, err, sizeof err), 0);
    cJSON_Delete(nope);
    mcp_schema_free(s);
}

/* One compiled schema, several threads: patterns (per-thread PCRE2 match
 * data), dynamic scope and annotations are per call. */
typedef struct {
    const mcp_schema *schema;
    int wrong;
} worker_arg;

static void *validate_many(void *p)
{
    worker_arg *w = p;
    cJSON *good = parse("{'tags':{'abc':'x'},'list':['a',1]}");
    cJSON *bad = parse("{'tags':{'ABC':'x'},'list':['a',true]}");
    for (int i = 0; i < 2000; i++) {
        char err[256];
        w->wrong += mcp_schema_validate(w->schema, good, err, sizeof err) != 0;
        w->wrong += mcp_schema_validate(w->schema, bad, err, sizeof err) == 0;
    }
    cJSON_Delete(good);
    cJSON_Delete(bad);
    return NULL;
}

static void test_concurrent_validation(void **state)
{
    (void)state;
    mcp_schema *s = compile_opts("{'properties':{'tags':{'propertyNames':{'pattern':'^[a-z]+$'}},"
                                 "'list':{'prefixItems':[{'type':'string'}],'contains':{'type':'number'},"
                                 "'unevaluatedItems':false}}}",
                                 NULL);
    pthread_t threads[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){s, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, validate_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].wrong, 0);
    }
    mcp_schema_free(s);
}

static int setup(void **state)
{
    (void)state;
    registry = mcp_schema_registry_new();
    cJSON *defs = parse("{'$defs':{'id':{'type':'string','pattern':'^[a-z]+-[0-9]+$'},"
                        "'pos':{'$anchor':'positive','exclusiveMinimum':0}}}");
    char err[256];
    int rc = mcp_schema_registry_add(registry, "https://example.com/defs.json", defs, err, sizeof err);
    cJSON_Delete(defs); /* the registry keeps its own copy */
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    mcp_schema_registry_free(registry);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unevaluated_properties_sees_through_applicators),
        cmocka_unit_test(test_unevaluated_items_with_prefix_and_contains),
        cmocka_unit_test(test_if_then_else),
        cmocka_unit_test(test_dependent_required_and_schemas),
        cmocka_unit_test(test_contains_bounds),
        cmocka_unit_test(test_property_names),
        cmocka_unit_test(test_anchor_and_id_references),
        cmocka_unit_test(test_dynamic_ref_extends_a_recursive_schema),
        cmocka_unit_test(test_recursive_ref_in_2019_09),
        cmocka_unit_test(test_references_across_registered_documents),
        cmocka_unit_test(test_draft07_and_2019_dialects),
        cmocka_unit_test(test_known_keywords_are_never_silently_ignored),
        cmocka_unit_test(test_validate_all_reports_every_error),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_concurrent_validation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
