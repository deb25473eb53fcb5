/* Deep JSON equality and a matching hash, for enum, const and uniqueItems:
 * numbers compare by value (1 == 1.0), object member order is irrelevant,
 * and nesting beyond MAX_VALUE_DEPTH is reported instead of recursed. */
#include "schema/equal.h"


#include <string.h>

static int json_equal_at(const cJSON *a, const cJSON *b, int depth);

static int objects_equal(const cJSON *a, const cJSON *b, int depth)
{
    if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
        return 0;
    for (const cJSON *member = a->child; member; member = member->next) {
        const cJSON *other = cJSON_GetObjectItemCaseSensitive(b, member->string);
        if (!other)
            return 0;
        int eq = json_equal_at(member, other, depth + 1);
        if (eq != 1)
            return eq;
    }
    return 1;
}

static int arrays_equal(const cJSON *a, const cJSON *b, int depth)
{
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
        int eq = json_equal_at(x, y, depth + 1);
        if (eq != 1)
            return eq;
    }
    return x == NULL && y == NULL;
}

/* 1 equal, 0 different, -1 nested too deep to decide. Numbers compare by
 * value (1 == 1.0) and object member order is irrelevant. */
static int json_equal_at(const cJSON *a, const cJSON *b, int depth)
{
    if (depth > MAX_VALUE_DEPTH)
        return -1;
    if (json_kind(a) != json_kind(b))
        return 0;
    switch (json_kind(a)) {
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw:
        return a->valuestring && b->valuestring && a->valuestring[0] == b->valuestring[0] &&
               strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Array:
        return arrays_equal(a, b, depth);
    case cJSON_Object:
        return objects_equal(a, b, depth);
    default: /* null, true, false: the kind is the value */
        return 1;
    }
}

int mcp__json_equal(const cJSON *a, const cJSON *b)
{
    return json_equal_at(a, b, 0);
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t string_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* A hash consistent with json_equal_at: equal values hash equal (members
 * are combined by addition so order does not matter). Past the depth limit
 * it stops looking, which only costs extra comparisons, never correctness. */
uint64_t mcp__json_hash(const cJSON *v, int depth)
{
    uint64_t h = (uint64_t)json_kind(v) * 0x9e3779b97f4a7c15ULL;
    if (depth > MAX_VALUE_DEPTH)
        return h;
    switch (json_kind(v)) {
    case cJSON_Number: {
        double x = v->valuedouble == 0 ? 0.0 : v->valuedouble; /* -0 equals 0 */
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        return mix64(h ^ bits);
    }
    case cJSON_String:
    case cJSON_Raw:
        return mix64(h ^ string_hash(v->valuestring));
    case cJSON_Array:
        for (const cJSON *item = v->child; item; item = item->next)
            h = mix64(h * 31 + mcp__json_hash(item, depth + 1));
        return h;
    case cJSON_Object: {
        uint64_t sum = 0;
        for (const cJSON *member = v->child; member; member = member->next)
            sum += mix64(string_hash(member->string) * 7 + mcp__json_hash(member, depth + 1));
        return mix64(h ^ sum);
    }
    default:
        return h;
    }
}
