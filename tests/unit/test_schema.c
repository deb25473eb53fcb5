/* Unit tests for core/schema.c: one test per keyword, per error message
 * shape and per safety limit. Messages are asserted exactly where their
 * wording is part of the contract (AI agents read them as tool errors).
 * JSON in this file is written with single quotes for readability; the
 * helpers turn them into double quotes before parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "schema/schema.h"

/* ---- helpers ------------------------------------------------------------- */

static cJSON *parse(const char *relaxed)
{
    size_t n = strlen(relaxed);
    char *text = malloc(n + 1);
    assert_non_null(text);
    for (size_t i = 0; i <= n; i++)
        text[i] = relaxed[i] == '\'' ? '"' : relaxed[i];
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json)
        fail_msg("test JSON does not parse: %s", relaxed);
    return json;
}

static mcp_schema *compile(const char *schema_text)
{
    cJSON *json = parse(schema_text);
    char err[256] = "";
    mcp_schema *schema = mcp__schema_compile(json, err, sizeof err);
    cJSON_Delete(json); /* the compiled form must not need the source any more */
    if (!schema)
        fail_msg("schema %s did not compile: %s", schema_text, err);
    return schema;
}

/* Validates and returns 0/-1, leaving the message in err. */
static int check(const char *schema_text, const char *instance_text, char *err, size_t errlen)
{
    mcp_schema *schema = compile(schema_text);
    cJSON *instance = parse(instance_text);
    int rc = mcp__schema_validate(schema, instance, err, errlen);
    cJSON_Delete(instance);
    mcp__schema_free(schema);
    return rc;
}

static void assert_valid(const char *schema_text, const char *instance_text)
{
    char err[512] = "";
    if (check(schema_text, instance_text, err, sizeof err) != 0)
        fail_msg("%s should accept %s but said: %s", schema_text, instance_text, err);
}

static void assert_invalid(const char *schema_text, const char *instance_text, const char *message)
{
    char err[512] = "";
    if (check(schema_text, instance_text, err, sizeof err) == 0)
        fail_msg("%s should reject %s", schema_text, instance_text);
    assert_string_equal(err, message);
}

static void assert_invalid_mentioning(const char *schema_text, const char *instance_text, const char *part)
{
    char err[512] = "";
    if (check(schema_text, instance_text, err, sizeof err) == 0)
        fail_msg("%s should reject %s", schema_text, instance_text);
    if (!strstr(err, part))
        fail_msg("message \"%s\" does not mention \"%s\"", err, part);
}

static void assert_compile_error(const char *schema_text, const char *part)
{
    cJSON *json = parse(schema_text);
    char err[512] = "";
    mcp_schema *schema = mcp__schema_compile(json, err, sizeof err);
    cJSON_Delete(json);
    if (schema) {
        mcp__schema_free(schema);
        fail_msg("%s should not compile", schema_text);
    }
    if (!strstr(err, part))
        fail_msg("compile error \"%s\" does not mention \"%s\"", err, part);
}

/* ---- dialects and compile errors ----------------------------------------- */

static void test_dialect_absent_is_accepted(void **state)
{
    (void)state;
    assert_valid("{'type':'string'}", "'x'");
}

static void test_dialect_2020_12_is_accepted(void **state)
{
    (void)state;
    assert_valid("{'$schema':'https://json-schema.org/draft/2020-12/schema','type':'string'}", "'x'");
}

static void test_dialect_draft07_is_accepted(void **state)
{
    (void)state;
    assert_valid("{'$schema':'http://json-schema.org/draft-07/schema#','type':'string'}", "'x'");
}

static void test_dialect_unknown_is_rejected_with_its_name(void **state)
{
    (void)state;
    assert_compile_error("{'$schema':'http://json-schema.org/draft-04/schema#'}",
                         "#/$schema: unsupported JSON Schema dialect \"http://json-schema.org/draft-04/schema#\"");
}

static void test_compile_error_names_schema_location(void **state)
{
    (void)state;
    assert_compile_error("{'properties':{'age':{'minimum':'ten'}}}", "#/properties/age/minimum: must be a number");
}

static void test_compile_rejects_unknown_type_name(void **state)
{
    (void)state;
    assert_compile_error("{'type':'strng'}", "#/type: unknown type \"strng\"");
}

static void test_compile_rejects_non_schema_value(void **state)
{
    (void)state;
    assert_compile_error("{'properties':{'a':5}}", "#/properties/a: a schema must be an object or a boolean");
}

static void test_compile_rejects_negative_length(void **state)
{
    (void)state;
    assert_compile_error("{'minLength':-1}", "#/minLength: must be a non-negative integer");
}

static void test_compile_rejects_zero_multiple_of(void **state)
{
    (void)state;
    assert_compile_error("{'multipleOf':0}", "#/multipleOf: must be greater than 0");
}

static void test_compile_rejects_draft04_boolean_exclusive_minimum(void **state)
{
    (void)state;
    assert_compile_error("{'minimum':1,'exclusiveMinimum':true}", "draft-04 boolean form is not supported");
}

static void test_compile_rejects_null_schema(void **state)
{
    (void)state;
    char err[64];
    assert_null(mcp__schema_compile(NULL, err, sizeof err));
    assert_string_equal(err, "no schema given");
}

static void test_compile_rejects_schema_nested_too_deep(void **state)
{
    (void)state;
    cJSON *schema = cJSON_CreateObject();
    cJSON *inner = schema;
    for (int i = 0; i < 100; i++)
        inner = cJSON_AddObjectToObject(inner, "not");
    char err[256];
    mcp_schema *compiled = mcp__schema_compile(schema, err, sizeof err);
    cJSON_Delete(schema);
    assert_null(compiled);
    if (!strstr(err, "schema nesting too deep"))
        fail_msg("unexpected error: %s", err);
}

static void test_compile_leaves_no_reference_to_source_json(void **state)
{
    (void)state;
    /* compile() deletes the source JSON; ASan would flag any later use. */
    assert_invalid("{'required':['name'],'properties':{'name':{},'kind':{'enum':['a']},'v':{'const':[1]}},"
                   "'additionalProperties':false}",
                   "{'name':1,'kind':'a','v':[1],'x':0}",
                   "/x: property not allowed; allowed properties are \"name\", \"kind\", \"v\"");
}

/* ---- $ref ------------------------------------------------------------------ */

static void test_ref_rejects_remote_reference(void **state)
{
    (void)state;
    assert_compile_error("{'$ref':'https://example.com/schema.json'}",
                         "#/$ref: $ref \"https://example.com/schema.json\" names \"https://example.com/schema.json\", "
                         "which is neither in this schema nor registered; references are never fetched");
}

static void test_ref_rejects_unregistered_relative_document(void **state)
{
    (void)state;
    assert_compile_error("{'properties':{'a':{'$ref':'other.json#/x'}}}", "neither in this schema nor registered");
}

static void test_ref_rejects_undeclared_anchor(void **state)
{
    (void)state;
    assert_compile_error("{'$ref':'#node'}", "no \"$anchor\" declares \"node\"");
}

static void test_ref_rejects_dangling_pointer(void **state)
{
    (void)state;
    assert_compile_error("{'$ref':'#/$defs/missing'}", "$ref \"#/$defs/missing\" points to nothing in this schema");
}

static void test_ref_resolves_defs(void **state)
{
    (void)state;
    const char *schema = "{'properties':{'id':{'$ref':'#/$defs/id'}},'$defs':{'id':{'type':'integer'}}}";
    assert_valid(schema, "{'id':3}");
    assert_invalid(schema, "{'id':'3'}", "/id: expected integer, got string");
}

static void test_ref_resolves_definitions(void **state)
{
    (void)state;
    assert_invalid("{'items':{'$ref':'#/definitions/s'},'definitions':{'s':{'type':'string'}}}", "['a',2]",
                   "/1: expected string, got number");
}

static void test_ref_resolves_escaped_pointer(void **state)
{
    (void)state;
    const char *schema = "{'$defs':{'a/b':{'type':'string'},'c~d':{'type':'null'},'e%f':{'type':'boolean'}},"
                         "'properties':{'x':{'$ref':'#/$defs/a~1b'},'y':{'$ref':'#/$defs/c~0d'},"
                         "'z':{'$ref':'#/$defs/e%25f'}}}";
    assert_valid(schema, "{'x':'s','y':null,'z':true}");
    assert_invalid(schema, "{'z':1}", "/z: expected boolean, got number");
}

static void test_ref_to_root_validates_recursive_data(void **state)
{
    (void)state;
    const char *tree = "{'type':'object','required':['name'],'properties':{'name':{'type':'string'},"
                       "'children':{'type':'array','items':{'$ref':'#'}}}}";
    assert_valid(tree, "{'name':'a','children':[{'name':'b','children':[{'name':'c'}]}]}");
    assert_invalid(tree, "{'name':'a','children':[{'name':'b','children':[{}]}]}",
                   "/children/0/children/0: missing required property \"name\"");
}

static void test_ref_siblings_apply_in_2020_12(void **state)
{
    (void)state;
    assert_invalid("{'$defs':{'s':{'type':'string'}},'$ref':'#/$defs/s','maxLength':2}", "'abc'",
                   "(root): must be at most 2 characters long, got 3");
}

static void test_ref_siblings_are_ignored_in_draft07(void **state)
{
    (void)state;
    assert_valid("{'$schema':'http://json-schema.org/draft-07/schema#','definitions':{'s':{'type':'string'}},"
                 "'$ref':'#/definitions/s','maxLength':2}",
                 "'abc'");
}

static void test_ref_cycle_stops_at_depth_limit(void **state)
{
    (void)state;
    assert_invalid_mentioning("{'$ref':'#'}", "1", "schema nesting too deep");
}

static void test_not_cannot_turn_depth_limit_into_success(void **state)
{
    (void)state;
    assert_invalid_mentioning("{'not':{'$ref':'#'}}", "1", "schema nesting too deep");
}

static void test_deeply_nested_instance_is_rejected_without_crash(void **state)
{
    (void)state;
    mcp_schema *schema = compile("{'type':'object','additionalProperties':{'$ref':'#'}}");
    cJSON *root = cJSON_CreateObject(), *at = root;
    for (int i = 0; i < 5000; i++)
        at = cJSON_AddObjectToObject(at, "a");
    char err[256];
    assert_int_equal(mcp__schema_validate(schema, root, err, sizeof err), -1);
    assert_non_null(strstr(err, "schema nesting too deep"));
    assert_true(strncmp(err, "/a/a/a", 6) == 0);
    cJSON_Delete(root);
    mcp__schema_free(schema);
}

/* ---- type ------------------------------------------------------------------ */

static void test_type_mismatch_names_expected_and_actual(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'id':{'type':'number'}}}", "{'id':'7'}", "/id: expected number, got string");
}

static void test_type_list_is_spelled_out(void **state)
{
    (void)state;
    assert_invalid("{'type':['null','string']}", "3", "(root): expected string or null, got number");
    assert_invalid("{'type':['array','object','string']}", "true",
                   "(root): expected string, object or array, got boolean");
}

static void test_type_integer_accepts_whole_float(void **state)
{
    (void)state;
    assert_valid("{'type':'integer'}", "1.0");
    assert_valid("{'type':'integer'}", "-1e3");
}

static void test_type_integer_rejects_fraction_showing_value(void **state)
{
    (void)state;
    assert_invalid("{'type':'integer'}", "1.5", "(root): expected integer, got 1.5");
}

static void test_type_number_accepts_integer(void **state)
{
    (void)state;
    assert_valid("{'type':'number'}", "3");
}

static void test_type_null_and_boolean(void **state)
{
    (void)state;
    assert_valid("{'type':'null'}", "null");
    assert_valid("{'type':'boolean'}", "false");
    assert_invalid("{'type':'boolean'}", "null", "(root): expected boolean, got null");
}

/* ---- enum and const -------------------------------------------------------- */

static void test_enum_lists_allowed_values(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'tags':{'items':{'enum':['a','b']}}}}", "{'tags':['a','b','c']}",
                   "/tags/2: must be one of [\"a\",\"b\"]");
}

static void test_enum_compares_numbers_by_value(void **state)
{
    (void)state;
    assert_valid("{'enum':[1,2]}", "1.0");
}

static void test_enum_ignores_object_key_order(void **state)
{
    (void)state;
    assert_valid("{'enum':[{'a':1,'b':[true,null]}]}", "{'b':[true,null],'a':1}");
    assert_invalid_mentioning("{'enum':[{'a':1}]}", "{'a':1,'b':2}", "must be one of");
}

static void test_enum_long_list_is_shortened_in_message(void **state)
{
    (void)state;
    char schema[4096] = "{'enum':[";
    for (int i = 0; i < 200; i++)
        snprintf(schema + strlen(schema), sizeof schema - strlen(schema), "%s'value%d'", i ? "," : "", i);
    strcat(schema, "]}");
    char err[1024];
    assert_int_equal(check(schema, "'nope'", err, sizeof err), -1);
    assert_true(strlen(err) < 260);
    assert_non_null(strstr(err, "..."));
}

static void test_const_mismatch_shows_expected_value(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'v':{'const':'fixed'}}}", "{'v':'other'}", "/v: must equal \"fixed\"");
    assert_valid("{'const':{'x':[1,2]}}", "{'x':[1.0,2]}");
}

/* ---- numbers ---------------------------------------------------------------- */

static void test_minimum_message_shows_limit_and_value(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'age':{'minimum':0}}}", "{'age':-1}", "/age: must be >= 0, got -1");
    assert_valid("{'minimum':0}", "0");
}

static void test_maximum_message_shows_limit_and_value(void **state)
{
    (void)state;
    assert_invalid("{'maximum':10.5}", "11", "(root): must be <= 10.5, got 11");
    assert_valid("{'maximum':10.5}", "10.5");
}

static void test_exclusive_minimum_rejects_the_limit(void **state)
{
    (void)state;
    assert_invalid("{'exclusiveMinimum':0}", "0", "(root): must be > 0, got 0");
    assert_valid("{'exclusiveMinimum':0}", "0.001");
}

static void test_exclusive_maximum_rejects_the_limit(void **state)
{
    (void)state;
    assert_invalid("{'exclusiveMaximum':1}", "1", "(root): must be < 1, got 1");
}

static void test_inclusive_bounds_tolerate_float_rounding(void **state)
{
    (void)state;
    mcp_schema *schema = compile("{'maximum':0.3}");
    cJSON *sum = cJSON_CreateNumber(0.1 + 0.2); /* 0.30000000000000004 */
    char err[128];
    assert_int_equal(mcp__schema_validate(schema, sum, err, sizeof err), 0);
    cJSON_Delete(sum);
    mcp__schema_free(schema);
}

static void test_multiple_of_tolerates_float_rounding(void **state)
{
    (void)state;
    assert_valid("{'multipleOf':0.1}", "0.3");
    assert_valid("{'multipleOf':0.01}", "19.99");
    assert_invalid("{'multipleOf':0.1}", "0.35", "(root): must be a multiple of 0.1, got 0.35");
}

static void test_numeric_keywords_ignore_other_types(void **state)
{
    (void)state;
    assert_valid("{'minimum':5,'multipleOf':2}", "'text'");
}

/* ---- strings ---------------------------------------------------------------- */

static void test_min_length_counts_code_points_not_bytes(void **state)
{
    (void)state;
    assert_invalid("{'minLength':3}", "'\xe6\x97\xa5\xe6\x9c\xac'",
                   "(root): must be at least 3 characters long, got 2");
}

static void test_max_length_counts_code_points_not_bytes(void **state)
{
    (void)state;
    assert_valid("{'maxLength':5}", "'h\xc3\xa9llo'");
    assert_valid("{'maxLength':1}", "'\\ud83d\\ude00'"); /* one emoji: a surrogate pair */
    assert_invalid("{'properties':{'name':{'maxLength':3}}}", "{'name':'abcd'}",
                   "/name: must be at most 3 characters long, got 4");
}

static void test_pattern_mismatch_quotes_the_pattern(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'code':{'pattern':'^[A-Z]{3}$'}}}", "{'code':'ab'}",
                   "/code: must match the pattern \"^[A-Z]{3}$\"");
}

static void test_pattern_searches_anywhere_unless_anchored(void **state)
{
    (void)state;
    assert_valid("{'pattern':'b+'}", "'abbc'");
}

static void test_pattern_translates_digit_word_space_escapes(void **state)
{
    (void)state;
    const char *schema = "{'pattern':'^\\\\d{3}-\\\\w+\\\\s\\\\S$'}";
    assert_valid(schema, "'123-ab_9 x'");
    assert_invalid_mentioning(schema, "'12a-ab x'", "must match the pattern");
    assert_valid("{'pattern':'^\\\\D\\\\W$'}", "'a-'");
}

static void test_pattern_class_escapes_inside_brackets(void **state)
{
    (void)state;
    const char *schema = "{'pattern':'^[\\\\w.\\\\-]+@[\\\\d\\\\]]+$'}";
    assert_valid(schema, "'a.b-c@1]2'");
    assert_invalid_mentioning(schema, "'a b@1'", "must match");
}

static void test_pattern_dot_matches_one_code_point(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^.{2}$'}", "'\xc3\xa9\xc3\xa0'");
    assert_invalid_mentioning("{'pattern':'^.$'}", "'\\n'", "must match");
}

static void test_pattern_accepts_lazy_quantifiers_and_noncapturing_groups(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^(?:ab)+?c*?$'}", "'ababcc'");
    assert_valid("{'pattern':'^(?<year>\\\\d{4})$'}", "'2024'");
}

static void test_pattern_literal_braces_and_escaped_metacharacters(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^\\\\{x}\\\\.\\\\*\\\\/$'}", "'{x}.*/'");
    assert_valid("{'pattern':'^\\\\u00e9\\\\x41$'}", "'\xc3\xa9"
                                                     "A'");
}

static void test_pattern_space_escape_includes_unicode_spaces(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^a\\\\sb$'}", "'a\\u00a0b'"); /* no-break space */
    assert_invalid_mentioning("{'pattern':'^\\\\S$'}", "'\\u3000'", "must match"); /* ideographic space */
}

static void test_pattern_non_ascii_class_range_is_supported(void **state)
{
    (void)state;
    const char *schema = "{'pattern':'^[a-z\\\\u00e0-\\\\u00fc]+$'}";
    assert_valid(schema, "'caf\\u00e9'");
    assert_invalid_mentioning(schema, "'caf\\u00ff'", "must match");
    assert_valid("{'pattern':'^[\\\\u4e00-\\\\u9fff]+$'}", "'\\u4e2d\\u6587'");
}

static void test_pattern_control_escape(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^\\\\cJ$'}", "'\\n'");
}

static void test_pattern_lookaround(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^(?=a)a'}", "'a'");
    assert_invalid_mentioning("{'pattern':'^(?=b)a'}", "'a'", "must match");
    assert_valid("{'pattern':'(?<!a)b'}", "'cb'");
    assert_invalid_mentioning("{'pattern':'^.(?<!a)b'}", "'ab'", "must match");
}

static void test_pattern_backreferences_and_ascii_word_boundaries(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^(a)\\\\1$'}", "'aa'");
    assert_invalid_mentioning("{'pattern':'^(a)\\\\1$'}", "'ab'", "must match");
    assert_valid("{'pattern':'\\\\bword'}", "'a word'");
    /* ECMA \\b and \\w are ASCII: an accented letter is not a word character */
    assert_valid("{'pattern':'^.\\\\bx$'}", "'\\u00e9x'");
    assert_invalid_mentioning("{'pattern':'^\\\\w$'}", "'\\u00e9'", "must match");
    assert_invalid_mentioning("{'pattern':'^\\\\d$'}", "'\\u0660'", "must match"); /* Arabic-Indic zero */
}

static void test_pattern_unicode_properties(void **state)
{
    (void)state;
    assert_valid("{'pattern':'^\\\\p{L}+$'}", "'\\u00e9t\\u00e9'");
    assert_valid("{'pattern':'^\\\\p{Letter}+$'}", "'abc'");
    assert_valid("{'pattern':'^\\\\p{Script=Greek}$'}", "'\\u03b1'");
    assert_invalid_mentioning("{'pattern':'^\\\\p{Lu}$'}", "'a'", "must match");
    assert_valid("{'pattern':'^\\\\P{Lu}$'}", "'a'");
    assert_compile_error("{'pattern':'\\\\p{NoSuchProperty}'}", "is not a valid regular expression");
}

static void test_pattern_rejects_invalid_regex(void **state)
{
    (void)state;
    assert_compile_error("{'pattern':'(ab'}", "#/pattern: pattern \"(ab\" is not a valid regular expression");
    assert_compile_error("{'pattern':'[a-'}", "unterminated character class");
}

/* A catastrophic pattern hits the match limit: reported, never a hang and
 * never taken as "does not match". */
static void test_pattern_match_limit_is_reported(void **state)
{
    (void)state;
    char err[512] = "";
    int rc = check("{'pattern':'^(a+)+$'}", "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'", err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "could not be evaluated"));
    /* large counts compile; the limits bound the cost */
    assert_invalid_mentioning("{'pattern':'a{5000}'}", "'b'", "must match");
}

/* ---- formats ---------------------------------------------------------------- */

static void test_format_date_time(void **state)
{
    (void)state;
    const char *schema = "{'properties':{'when':{'format':'date-time'}}}";
    assert_valid(schema, "{'when':'2024-02-29T13:45:00.5+02:00'}");
    assert_invalid(schema, "{'when':'2023-02-29T13:45:00Z'}",
                   "/when: must be a date-time like \"2024-01-31T13:45:00Z\" (RFC 3339)");
    assert_invalid_mentioning(schema, "{'when':'2024-01-31 13:45'}", "date-time");
}

static void test_format_date_and_time(void **state)
{
    (void)state;
    assert_valid("{'format':'date'}", "'2024-12-31'");
    assert_invalid_mentioning("{'format':'date'}", "'2024-13-01'", "must be a date like");
    assert_valid("{'format':'time'}", "'23:59:60Z'");
    assert_invalid_mentioning("{'format':'time'}", "'12:00:00'", "must be a time with offset");
}

static void test_format_email(void **state)
{
    (void)state;
    assert_valid("{'format':'email'}", "'first.last+tag@example.co.uk'");
    assert_invalid("{'format':'email'}", "'not an email'",
                   "(root): must be an email address like \"name@example.com\"");
    assert_invalid_mentioning("{'format':'email'}", "'a..b@example.com'", "email");
}

static void test_format_uri(void **state)
{
    (void)state;
    assert_valid("{'format':'uri'}", "'https://user@example.com:8080/a/b?q=1#frag'");
    assert_invalid("{'format':'uri'}", "'/relative/path'",
                   "(root): must be an absolute URI like \"https://example.com/path\"");
    assert_invalid_mentioning("{'format':'uri'}", "'http://exa mple.com'", "URI");
}

static void test_format_unknown_is_ignored(void **state)
{
    (void)state;
    assert_valid("{'format':'color'}", "'anything'");
}

/* ---- arrays ----------------------------------------------------------------- */

static void test_items_error_points_at_the_item(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'tags':{'type':'array','items':{'type':'string'}}}}", "{'tags':['a','b',3]}",
                   "/tags/2: expected string, got number");
}

static void test_prefix_items_check_by_position(void **state)
{
    (void)state;
    const char *schema = "{'prefixItems':[{'type':'string'},{'type':'integer'}]}";
    assert_valid(schema, "['a',1,{}]");
    assert_invalid(schema, "['a','b']", "/1: expected integer, got string");
}

static void test_items_false_after_prefix_limits_length(void **state)
{
    (void)state;
    assert_invalid("{'prefixItems':[{},{}],'items':false}", "[1,2,3]",
                   "(root): must have at most 2 items (no further items allowed), got 3");
}

static void test_draft07_array_items_act_as_prefix_items(void **state)
{
    (void)state;
    const char *schema = "{'items':[{'type':'string'}],'additionalItems':{'type':'number'}}";
    assert_valid(schema, "['a',1,2]");
    assert_invalid(schema, "['a',1,'b']", "/2: expected number, got string");
}

static void test_min_and_max_items_messages(void **state)
{
    (void)state;
    assert_invalid("{'minItems':1}", "[]", "(root): must have at least 1 items, got 0");
    assert_invalid("{'maxItems':1}", "[1,2]", "(root): must have at most 1 items, got 2");
}

static void test_unique_items_reports_duplicate_positions(void **state)
{
    (void)state;
    assert_invalid("{'uniqueItems':true}", "['a','b','a']",
                   "(root): items must be unique, but items 0 and 2 are equal");
}

static void test_unique_items_uses_deep_equality(void **state)
{
    (void)state;
    assert_invalid_mentioning("{'uniqueItems':true}", "[1,1.0]", "items 0 and 1 are equal");
    assert_invalid_mentioning("{'uniqueItems':true}", "[{'a':1,'b':2},{'b':2,'a':1}]", "must be unique");
    assert_valid("{'uniqueItems':true}", "[1,true,'1',[1],{'1':1},null,0,false]");
}

static void test_unique_items_is_bounded_on_deep_values(void **state)
{
    (void)state;
    mcp_schema *schema = compile("{'uniqueItems':true}");
    cJSON *array = cJSON_CreateArray();
    for (int copy = 0; copy < 2; copy++) {
        cJSON *at = cJSON_CreateArray();
        cJSON_AddItemToArray(array, at);
        for (int i = 0; i < 400; i++) {
            cJSON *inner = cJSON_CreateArray();
            cJSON_AddItemToArray(at, inner);
            at = inner;
        }
    }
    char err[256];
    assert_int_equal(mcp__schema_validate(schema, array, err, sizeof err), -1);
    assert_non_null(strstr(err, "too deep"));
    cJSON_Delete(array);
    mcp__schema_free(schema);
}

/* ---- objects ---------------------------------------------------------------- */

static void test_required_missing_names_the_field(void **state)
{
    (void)state;
    assert_invalid("{'type':'object','required':['title']}", "{}", "(root): missing required property \"title\"");
}

static void test_required_in_nested_object_has_pointer(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'meta':{'required':['id']}}}", "{'meta':{}}",
                   "/meta: missing required property \"id\"");
}

static void test_properties_validate_only_present_members(void **state)
{
    (void)state;
    const char *schema = "{'properties':{'a':{'type':'string'},'b':{'type':'number'}}}";
    assert_valid(schema, "{'a':'x','other':1}");
    assert_invalid(schema, "{'a':'x','b':'y'}", "/b: expected number, got string");
}

static void test_pointer_escapes_slash_and_tilde(void **state)
{
    (void)state;
    assert_invalid("{'additionalProperties':{'type':'string'}}", "{'a/b~c':1}",
                   "/a~1b~0c: expected string, got number");
}

static void test_additional_properties_false_rejects_extra_property(void **state)
{
    (void)state;
    assert_invalid("{'additionalProperties':false}", "{'extra':1}", "/extra: property not allowed");
    assert_invalid("{'properties':{'title':{}},'additionalProperties':false}", "{'title':'t','extra':1}",
                   "/extra: property not allowed; allowed properties are \"title\"");
}

static void test_additional_properties_schema_checks_extras(void **state)
{
    (void)state;
    const char *schema = "{'properties':{'a':{}},'additionalProperties':{'type':'boolean'}}";
    assert_valid(schema, "{'a':1,'b':true}");
    assert_invalid(schema, "{'a':1,'b':2}", "/b: expected boolean, got number");
}

static void test_pattern_properties_are_not_additional(void **state)
{
    (void)state;
    const char *schema = "{'patternProperties':{'^x-':{'type':'string'}},'additionalProperties':false}";
    assert_valid(schema, "{'x-trace':'id'}");
    assert_invalid(schema, "{'x-trace':1}", "/x-trace: expected string, got number");
    assert_invalid(schema, "{'trace':'id'}", "/trace: property not allowed");
}

static void test_false_property_schema_forbids_the_property(void **state)
{
    (void)state;
    assert_invalid("{'properties':{'secret':false}}", "{'secret':1}", "/secret: property not allowed");
}

static void test_min_and_max_properties_messages(void **state)
{
    (void)state;
    assert_invalid("{'minProperties':1}", "{}", "(root): must have at least 1 properties, got 0");
    assert_invalid("{'maxProperties':1}", "{'a':1,'b':2}", "(root): must have at most 1 properties, got 2");
}

/* ---- combinators and boolean schemas ---------------------------------------- */

static void test_all_of_reports_the_failing_part(void **state)
{
    (void)state;
    assert_invalid("{'allOf':[{'type':'object'},{'required':['id']}]}", "{}",
                   "(root): missing required property \"id\"");
}

static void test_any_of_quotes_first_alternative_failure(void **state)
{
    (void)state;
    const char *schema = "{'properties':{'v':{'anyOf':[{'type':'string'},{'type':'null'}]}}}";
    assert_valid(schema, "{'v':null}");
    assert_invalid(
        schema, "{'v':3}",
        "/v: must match at least one anyOf alternative; the first one failed with: /v: expected string, got number");
}

static void test_one_of_rejects_when_none_match(void **state)
{
    (void)state;
    assert_invalid_mentioning("{'oneOf':[{'type':'string'},{'type':'boolean'}]}", "1",
                              "(root): must match exactly one oneOf alternative, but matches none");
}

static void test_one_of_rejects_when_several_match(void **state)
{
    (void)state;
    assert_invalid("{'oneOf':[{'type':'number'},{'minimum':0}]}", "5",
                   "(root): must match exactly one oneOf alternative, but matches alternatives 0 and 1");
    assert_valid("{'oneOf':[{'type':'number'},{'minimum':0}]}", "-5");
}

static void test_not_rejects_matching_value(void **state)
{
    (void)state;
    assert_invalid("{'not':{'type':'string'}}", "'x'", "(root): must not match the schema given in \"not\"");
    assert_valid("{'not':{'type':'string'}}", "1");
}

static void test_false_schema_rejects_everything(void **state)
{
    (void)state;
    assert_invalid("false", "null", "(root): no value is allowed here");
}

static void test_true_and_empty_schemas_accept_everything(void **state)
{
    (void)state;
    assert_valid("true", "{'a':[1,2]}");
    assert_valid("{}", "'x'");
}

static void test_default_and_unknown_keywords_are_annotations(void **state)
{
    (void)state;
    assert_valid("{'type':'integer','default':'not an integer','title':'t','x-custom':{'type':'string'}}", "3");
}

/* ---- API edges ---------------------------------------------------------------- */

static void test_small_error_buffer_is_truncated_safely(void **state)
{
    (void)state;
    char err[8];
    assert_int_equal(check("{'type':'string'}", "1", err, sizeof err), -1);
    assert_string_equal(err, "(root):");
}

static void test_error_buffer_may_be_null(void **state)
{
    (void)state;
    assert_int_equal(check("{'type':'string'}", "1", NULL, 0), -1);
    assert_int_equal(check("{'type':'string'}", "'s'", NULL, 0), 0);
}

static void test_validate_without_instance_fails(void **state)
{
    (void)state;
    mcp_schema *schema = compile("{}");
    char err[64];
    assert_int_equal(mcp__schema_validate(schema, NULL, err, sizeof err), -1);
    assert_string_equal(err, "(root): no value given");
    mcp__schema_free(schema);
    mcp__schema_free(NULL);
}

static void test_valid_result_clears_error_buffer(void **state)
{
    (void)state;
    char err[32] = "stale";
    assert_int_equal(check("{}", "1", err, sizeof err), 0);
    assert_string_equal(err, "");
}


/* Found by fuzzing: repeated keywords leaked or overflowed the compiler. */
static void test_repeated_keyword_in_one_object_is_rejected(void **state)
{
    (void)state;
    assert_compile_error("{'enum':[1],'enum':[2]}", "repeats the member \"enum\"");
    assert_compile_error("{'required':['a'],'required':['b']}", "repeats the member \"required\"");
    assert_compile_error("{'properties':{'a':{'pattern':'x','pattern':'y'}}}", "repeats the member \"pattern\"");
}

/* Found by fuzzing: stacked quantifiers made regcomp take exponential time. */
static void test_quantifier_on_a_quantifier_is_rejected(void **state)
{
    (void)state;
    assert_compile_error("{'pattern':'a++++++++++++++++++++'}", "a quantifier cannot follow another quantifier");
    assert_compile_error("{'pattern':'a{2}*'}", "a quantifier cannot follow another quantifier");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialect_absent_is_accepted),
        cmocka_unit_test(test_dialect_2020_12_is_accepted),
        cmocka_unit_test(test_dialect_draft07_is_accepted),
        cmocka_unit_test(test_dialect_unknown_is_rejected_with_its_name),
        cmocka_unit_test(test_compile_error_names_schema_location),
        cmocka_unit_test(test_compile_rejects_unknown_type_name),
        cmocka_unit_test(test_compile_rejects_non_schema_value),
        cmocka_unit_test(test_compile_rejects_negative_length),
        cmocka_unit_test(test_compile_rejects_zero_multiple_of),
        cmocka_unit_test(test_compile_rejects_draft04_boolean_exclusive_minimum),
        cmocka_unit_test(test_compile_rejects_null_schema),
        cmocka_unit_test(test_compile_rejects_schema_nested_too_deep),
        cmocka_unit_test(test_compile_leaves_no_reference_to_source_json),
        cmocka_unit_test(test_ref_rejects_remote_reference),
        cmocka_unit_test(test_ref_rejects_unregistered_relative_document),
        cmocka_unit_test(test_ref_rejects_undeclared_anchor),
        cmocka_unit_test(test_ref_rejects_dangling_pointer),
        cmocka_unit_test(test_ref_resolves_defs),
        cmocka_unit_test(test_ref_resolves_definitions),
        cmocka_unit_test(test_ref_resolves_escaped_pointer),
        cmocka_unit_test(test_ref_to_root_validates_recursive_data),
        cmocka_unit_test(test_ref_siblings_apply_in_2020_12),
        cmocka_unit_test(test_ref_siblings_are_ignored_in_draft07),
        cmocka_unit_test(test_ref_cycle_stops_at_depth_limit),
        cmocka_unit_test(test_not_cannot_turn_depth_limit_into_success),
        cmocka_unit_test(test_deeply_nested_instance_is_rejected_without_crash),
        cmocka_unit_test(test_type_mismatch_names_expected_and_actual),
        cmocka_unit_test(test_type_list_is_spelled_out),
        cmocka_unit_test(test_type_integer_accepts_whole_float),
        cmocka_unit_test(test_type_integer_rejects_fraction_showing_value),
        cmocka_unit_test(test_type_number_accepts_integer),
        cmocka_unit_test(test_type_null_and_boolean),
        cmocka_unit_test(test_enum_lists_allowed_values),
        cmocka_unit_test(test_enum_compares_numbers_by_value),
        cmocka_unit_test(test_enum_ignores_object_key_order),
        cmocka_unit_test(test_enum_long_list_is_shortened_in_message),
        cmocka_unit_test(test_const_mismatch_shows_expected_value),
        cmocka_unit_test(test_minimum_message_shows_limit_and_value),
        cmocka_unit_test(test_maximum_message_shows_limit_and_value),
        cmocka_unit_test(test_exclusive_minimum_rejects_the_limit),
        cmocka_unit_test(test_exclusive_maximum_rejects_the_limit),
        cmocka_unit_test(test_inclusive_bounds_tolerate_float_rounding),
        cmocka_unit_test(test_multiple_of_tolerates_float_rounding),
        cmocka_unit_test(test_numeric_keywords_ignore_other_types),
        cmocka_unit_test(test_min_length_counts_code_points_not_bytes),
        cmocka_unit_test(test_max_length_counts_code_points_not_bytes),
        cmocka_unit_test(test_pattern_mismatch_quotes_the_pattern),
        cmocka_unit_test(test_pattern_searches_anywhere_unless_anchored),
        cmocka_unit_test(test_pattern_translates_digit_word_space_escapes),
        cmocka_unit_test(test_pattern_class_escapes_inside_brackets),
        cmocka_unit_test(test_pattern_dot_matches_one_code_point),
        cmocka_unit_test(test_pattern_accepts_lazy_quantifiers_and_noncapturing_groups),
        cmocka_unit_test(test_pattern_literal_braces_and_escaped_metacharacters),
        cmocka_unit_test(test_pattern_space_escape_includes_unicode_spaces),
        cmocka_unit_test(test_pattern_non_ascii_class_range_is_supported),
        cmocka_unit_test(test_pattern_control_escape),
        cmocka_unit_test(test_pattern_lookaround),
        cmocka_unit_test(test_pattern_backreferences_and_ascii_word_boundaries),
        cmocka_unit_test(test_pattern_unicode_properties),
        cmocka_unit_test(test_pattern_rejects_invalid_regex),
        cmocka_unit_test(test_pattern_match_limit_is_reported),
        cmocka_unit_test(test_format_date_time),
        cmocka_unit_test(test_format_date_and_time),
        cmocka_unit_test(test_format_email),
        cmocka_unit_test(test_format_uri),
        cmocka_unit_test(test_format_unknown_is_ignored),
        cmocka_unit_test(test_items_error_points_at_the_item),
        cmocka_unit_test(test_prefix_items_check_by_position),
        cmocka_unit_test(test_items_false_after_prefix_limits_length),
        cmocka_unit_test(test_draft07_array_items_act_as_prefix_items),
        cmocka_unit_test(test_min_and_max_items_messages),
        cmocka_unit_test(test_unique_items_reports_duplicate_positions),
        cmocka_unit_test(test_unique_items_uses_deep_equality),
        cmocka_unit_test(test_unique_items_is_bounded_on_deep_values),
        cmocka_unit_test(test_required_missing_names_the_field),
        cmocka_unit_test(test_required_in_nested_object_has_pointer),
        cmocka_unit_test(test_properties_validate_only_present_members),
        cmocka_unit_test(test_pointer_escapes_slash_and_tilde),
        cmocka_unit_test(test_additional_properties_false_rejects_extra_property),
        cmocka_unit_test(test_additional_properties_schema_checks_extras),
        cmocka_unit_test(test_pattern_properties_are_not_additional),
        cmocka_unit_test(test_false_property_schema_forbids_the_property),
        cmocka_unit_test(test_min_and_max_properties_messages),
        cmocka_unit_test(test_all_of_reports_the_failing_part),
        cmocka_unit_test(test_any_of_quotes_first_alternative_failure),
        cmocka_unit_test(test_one_of_rejects_when_none_match),
        cmocka_unit_test(test_one_of_rejects_when_several_match),
        cmocka_unit_test(test_not_rejects_matching_value),
        cmocka_unit_test(test_false_schema_rejects_everything),
        cmocka_unit_test(test_true_and_empty_schemas_accept_everything),
        cmocka_unit_test(test_default_and_unknown_keywords_are_annotations),
        cmocka_unit_test(test_small_error_buffer_is_truncated_safely),
        cmocka_unit_test(test_error_buffer_may_be_null),
        cmocka_unit_test(test_validate_without_instance_fails),
        cmocka_unit_test(test_valid_result_clears_error_buffer),
        cmocka_unit_test(test_repeated_keyword_in_one_object_is_rejected),
        cmocka_unit_test(test_quantifier_on_a_quantifier_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
