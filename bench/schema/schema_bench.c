/* bench/schema/schema_bench.c - JSON Schema compile/s and validate/s of
 * libmcp's engine (include/mcp/schema.h) for a typical tool input schema
 * and for a 100 KB document; bench/schema/run puts ajv next to it.
 *
 *   schema_bench --fixtures DIR    write the four fixture files into DIR
 *   schema_bench DIR [SECONDS]     measure; prints "name compile_per_s validate_per_s"
 *
 * The fixtures are generated here (deterministic) so both validators read
 * the very same bytes. Each rate is the best of 3 runs of SECONDS/3 of
 * process CPU time. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mcp/schema.h>

static const char TOOL_SCHEMA[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"properties\":{"
    "\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200},"
    "\"body\":{\"type\":\"string\",\"maxLength\":65536},"
    "\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9-]*$\"},"
    "\"uniqueItems\":true,\"maxItems\":20},"
    "\"priority\":{\"enum\":[\"low\",\"normal\",\"high\",\"urgent\"]},"
    "\"assignee\":{\"type\":\"object\",\"properties\":{\"login\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9-]{1,39}$\"},"
    "\"id\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"login\"],\"additionalProperties\":false},"
    "\"estimate\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1000},"
    "\"draft\":{\"type\":\"boolean\"}},"
    "\"required\":[\"title\",\"priority\"],\"additionalProperties\":false}";

static const char TOOL_INSTANCE[] =
    "{\"title\":\"Crash when the cache is cold\",\"body\":\"Steps: start the server, call tools/list twice.\","
    "\"labels\":[\"bug\",\"cache\",\"p1\"],\"priority\":\"high\",\"assignee\":{\"login\":\"octo-cat\",\"id\":42},"
    "\"estimate\":2.5,\"draft\":false}";

static const char DOC_SCHEMA[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"properties\":{\"records\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/record\"}},"
    "\"generated\":{\"type\":\"string\"}},\"required\":[\"records\"],"
    "\"$defs\":{\"record\":{\"type\":\"object\",\"properties\":{"
    "\"id\":{\"type\":\"integer\",\"minimum\":0},"
    "\"name\":{\"type\":\"string\",\"pattern\":\"^[A-Z][a-z]+ [A-Z][a-z]+$\"},"
    "\"email\":{\"type\":\"string\",\"maxLength\":254},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"red\",\"green\",\"blue\",\"new\",\"vip\"]}},"
    "\"price\":{\"type\":\"number\",\"minimum\":0},"
    "\"active\":{\"type\":\"boolean\"},"
    "\"address\":{\"type\":\"object\",\"properties\":{\"street\":{\"type\":\"string\"},\"zip\":{\"type\":\"string\","
    "\"pattern\":\"^[0-9]{5}$\"}},\"required\":[\"street\",\"zip\"]}},"
    "\"required\":[\"id\",\"name\",\"price\"],\"additionalProperties\":false}}}";

static char *doc_instance(void)
{
    static const char *first[] = {"Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret"};
    static const char *last[] = {"Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Ritchie"};
    static const char *tags[] = {"red", "green", "blue", "new", "vip"};
    size_t cap = 110 * 1024, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    len += (size_t)snprintf(out + len, cap - len, "{\"generated\":\"bench\",\"records\":[");
    for (int i = 0; len < 100 * 1024 - 300; i++) {
        len += (size_t)snprintf(out + len, cap - len,
                                "%s{\"id\":%d,\"name\":\"%s %s\",\"email\":\"user%d@example.com\",\"tags\":[\"%s\",\"%s\"],"
                                "\"price\":%d.%02d,\"active\":%s,\"address\":{\"street\":\"%d Main St\",\"zip\":\"%05d\"}}",
                                i ? "," : "", i, first[i % 8], last[i % 7], i, tags[i % 5], tags[(i + 2) % 5], i % 500,
                                i % 100, i % 3 ? "true" : "false", i + 1, (i * 7919) % 100000);
    }
    snprintf(out + len, cap - len, "]}");
    return out;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static char *read_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/* CPU time of the process: the rate per CPU-second, which a machine shared
 * with other work distorts far less than wall time. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of three rates (operations per second) over seconds/3 each. */
static double rate(int compile, const cJSON *schema, const mcp_schema *compiled, const cJSON *instance, double seconds)
{
    double best = 0;
    for (int run = 0; run < 3; run++) {
        long ops = 0;
        double start = now(), end = start + seconds / 3, t = start;
        while (t < end) {
            for (int k = 0; k < 64; k++) {
                if (compile) {
                    mcp_schema *s = mcp_schema_compile(schema, NULL, NULL, 0);
                    if (!s)
                        exit(1);
                    mcp_schema_free(s);
                } else if (mcp_schema_validate(compiled, instance, NULL, 0) != 0) {
                    exit(1);
                }
            }
            ops += 64;
            t = now();
        }
        double r = (double)ops / (t - start);
        if (r > best)
            best = r;
    }
    return best;
}

static int measure(const char *dir, const char *name, double seconds)
{
    char file[64];
    snprintf(file, sizeof file, "%s.schema.json", name);
    char *schema_text = read_file(dir, file);
    snprintf(file, sizeof file, "%s.instance.json", name);
    char *instance_text = read_file(dir, file);
    cJSON *schema = schema_text ? cJSON_Parse(schema_text) : NULL;
    cJSON *instance = instance_text ? cJSON_Parse(instance_text) : NULL;
    char err[256] = "";
    mcp_schema *compiled = schema ? mcp_schema_compile(schema, NULL, err, sizeof err) : NULL;
    if (!compiled || !instance || mcp_schema_validate(compiled, instance, err, sizeof err) != 0) {
        fprintf(stderr, "schema_bench: %s fixture unusable: %s\n", name, err);
        return 1;
    }
    printf("%s %.0f %.0f\n", name, rate(1, schema, NULL, NULL, seconds), rate(0, NULL, compiled, instance, seconds));
    mcp_schema_free(compiled);
    cJSON_Delete(schema);
    cJSON_Delete(instance);
    free(schema_text);
    free(instance_text);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
        char *doc = doc_instance();
        int rc = !doc || write_file(argv[2], "tool.schema.json", TOOL_SCHEMA) ||
                 write_file(argv[2], "tool.instance.json", TOOL_INSTANCE) ||
                 write_file(argv[2], "doc.schema.json", DOC_SCHEMA) || write_file(argv[2], "doc.instance.json", doc);
        free(doc);
        return rc;
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: schema_bench --fixtures DIR | schema_bench DIR [SECONDS]\n");
        return 2;
    }
    double seconds = argc == 3 ? atof(argv[2]) : 3;
    if (seconds <= 0 || seconds > 600)
        seconds = 3;
    return measure(argv[1], "tool", seconds) || measure(argv[1], "doc", seconds);
}
