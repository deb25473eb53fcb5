/* Runs the official JSON-Schema-Test-Suite (github.com/json-schema-org/
 * JSON-Schema-Test-Suite, not part of this tree) through the public API of
 * include/mcp/schema.h and counts, per category, the cases answered
 * correctly, wrongly, and refused (the schema did not compile).
 *
 *   run_suite [-v] [-m METASCHEMA_DIR] SUITE_ROOT DRAFT...
 *     SUITE_ROOT  the suite checkout (holds tests/ and remotes/)
 *     DRAFT       e.g. draft2020-12 draft2019-09 draft7
 *     -m DIR      register every *.json under DIR under its "$id" (the
 *                 dialect metaschemas, which some cases reference)
 *     -v          print every wrong or refused case
 *
 * remotes/ is registered under http://localhost:1234/ as the suite asks;
 * nothing is fetched. "format" is an annotation (the spec's default, which
 * the required cases test) except for optional/format, which measures
 * format assertion (libmcp's default for tool inputs). Exit status 0 unless
 * the suite cannot be read. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <mcp/schema.h>

typedef struct {
    int correct, wrong, refused;
} tally;

static int verbose;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static cJSON *read_json(const char *path)
{
    char *text = read_file(path);
    cJSON *json = text ? cJSON_Parse(text) : NULL;
    free(text);
    return json;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Registers every JSON file under dir: under prefix + relative path, or
 * (prefix NULL) under its "$id". */
static void register_tree(mcp_schema_registry *reg, const char *dir, const char *rel, const char *prefix)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char path[4096], sub[2048];
        if (name[0] == '.') {
            free(names[i]);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
        if (is_dir(path)) {
            register_tree(reg, path, sub, prefix);
        } else if (!prefix || (strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".json") == 0)) {
            cJSON *doc = read_json(path);
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "$id");
            char uri[4096], err[256];
            if (prefix)
                snprintf(uri, sizeof uri, "%s%s", prefix, sub);
            else if (cJSON_IsString(id))
                snprintf(uri, sizeof uri, "%s", id->valuestring);
            else
                uri[0] = '\0';
            size_t len = strlen(uri);
            if (len && uri[len - 1] == '#')
                uri[len - 1] = '\0';
            if (doc && uri[0] && mcp_schema_registry_add(reg, uri, doc, err, sizeof err) != 0 && verbose)
                fprintf(stderr, "register %s: %s\n", uri, err);
            cJSON_Delete(doc);
        }
        free(names[i]);
    }
    free(names);
}

static void run_file(const char *path, const char *label, const mcp_schema_options *opts, tally *t)
{
    cJSON *groups = read_json(path);
    if (!cJSON_IsArray(groups)) {
        fprintf(stderr, "%s: not a test file\n", path);
        cJSON_Delete(groups);
        return;
    }
    const cJSON *group;
    cJSON_ArrayForEach(group, groups)
    {
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(group, "schema");
        const cJSON *desc = cJSON_GetObjectItemCaseSensitive(group, "description");
        char err[512] = "";
        mcp_schema *compiled = mcp_schema_compile(schema, opts, err, sizeof err);
        const cJSON *test;
        cJSON_ArrayForEach(test, cJSON_GetObjectItemCaseSensitive(group, "tests"))
        {
            const cJSON *tdesc = cJSON_GetObjectItemCaseSensitive(test, "description");
            int expect = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(test, "valid"));
            if (!compiled) {
                t->refused++;
                if (verbose)
                    printf("REFUSED %s | %s | %s: %s\n", label, desc->valuestring, tdesc->valuestring, err);
                continue;
            }
            char why[512] = "";
            int got = mcp_schema_validate(compiled, cJSON_GetObjectItemCaseSensitive(test, "data"), why,
                                          sizeof why) == 0;
            if (got == expect) {
                t->correct++;
            } else {
                t->wrong++;
                if (verbose)
                    printf("WRONG   %s | %s | %s: expected %s%s%s\n", label, desc->valuestring, tdesc->valuestring,
                           expect ? "valid, got: " : "invalid", expect ? why : "", "");
            }
        }
        mcp_schema_free(compiled);
    }
    cJSON_Delete(groups);
}

static void run_dir(const char *dir, const char *label, const mcp_schema_options *opts, tally *t)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".json") == 0) {
            char path[4096], sub[1024];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            snprintf(sub, sizeof sub, "%s/%s", label, name);
            run_file(path, sub, opts, t);
        }
        free(names[i]);
    }
    free(names);
}

static void report(const char *draft, const char *what, const tally *t)
{
    printf("%-14s %-16s correct %4d  wrong %3d  refused %3d  (of %d)\n", draft, what, t->correct, t->wrong,
           t->refused, t->correct + t->wrong + t->refused);
}

int main(int argc, char **argv)
{
    const char *meta = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            meta = argv[++i];
        else
            break;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: run_suite [-v] [-m METASCHEMA_DIR] SUITE_ROOT DRAFT...\n");
        return 2;
    }
    const char *root = argv[i++];
    char path[4096];
    snprintf(path, sizeof path, "%s/tests", root);
    if (!is_dir(path)) {
        fprintf(stderr, "run_suite: %s has no tests/ directory\n", root);
        return 2;
    }
    mcp_schema_registry *reg = mcp_schema_registry_new();
    snprintf(path, sizeof path, "%s/remotes", root);
    register_tree(reg, path, "", "http://localhost:1234/");
    if (meta)
        register_tree(reg, meta, "", NULL);
    for (; i < argc; i++) {
        const char *draft = argv[i];
        /* format is an annotation by default (the spec and the required
         * cases say so); optional/format measures format assertion */
        mcp_schema_options opts = {reg, NULL, 1, strcmp(draft, "draft7") == 0};
        mcp_schema_options asserting = opts;
        asserting.format_annotation = 0;
        tally required = {0, 0, 0}, optional = {0, 0, 0}, format = {0, 0, 0};
        snprintf(path, sizeof path, "%s/tests/%s", root, draft);
        run_dir(path, draft, &opts, &required);
        snprintf(path, sizeof path, "%s/tests/%s/optional", root, draft);
        run_dir(path, "optional", &opts, &optional);
        snprintf(path, sizeof path, "%s/tests/%s/optional/format", root, draft);
        run_dir(path, "optional/format", &asserting, &format);
        report(draft, "required", &required);
        report(draft, "optional", &optional);
        report(draft, "optional/format", &format);
    }
    mcp_schema_registry_free(reg);
    return 0;
}
