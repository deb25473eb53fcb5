/* requestState tokens: base64(payload JSON) "." base64(HMAC-SHA256(key,
 * payload)). The MAC is compared in constant time before the payload is
 * parsed, so tampered input never reaches the JSON parser. */
#include "core/request_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include <mcp/error.h>

#include "base/json_write.h"
#include "base/util.h"

int mcp__request_state_key_random(request_state_key *key)
{
    key->len = 32;
    return mcp__random_bytes(key->bytes, key->len);
}

/* HMAC-SHA256 with Nettle: libmicrohttpd's GnuTLS already maps it, so the
 * core needs no second crypto library. */
static int mac(const request_state_key *key, const char *data, size_t len, unsigned char out[32])
{
    struct hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, key->len, key->bytes);
    hmac_sha256_update(&ctx, len, (const uint8_t *)data);
    hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
    return 0;
}

char *mcp__request_state_seal(const request_state_key *key, const char *method, const char *target,
                         const cJSON *responses, uint64_t now, uint64_t ttl_ms)
{
    cJSON *payload = cJSON_CreateObject();
    if (!payload)
        return NULL;
    cJSON_AddStringToObject(payload, "m", method);
    cJSON_AddStringToObject(payload, "t", target ? target : "");
    cJSON_AddNumberToObject(payload, "e", (double)(now + ttl_ms));
    cJSON_AddItemToObject(payload, "r", responses ? cJSON_Duplicate(responses, 1) : cJSON_CreateObject());
    char *json = mcp__json_print(payload, NULL);
    cJSON_Delete(payload);
    if (!json)
        return NULL;
    unsigned char tag[32];
    char *body = mcp__base64_encode((const unsigned char *)json, strlen(json));
    char *sig = NULL;
    if (body && mac(key, body, strlen(body), tag) == 0)
        sig = mcp__base64_encode(tag, sizeof tag);
    strbuf out = {0};
    if (body && sig)
        mcp__strbuf_printf(&out, "%s.%s", body, sig);
    free(json);
    free(body);
    free(sig);
    return out.data;
}

cJSON *mcp__request_state_open(const request_state_key *key, const char *token, const char *method,
                          const char *target, uint64_t now)
{
    const char *dot = token ? strchr(token, '.') : NULL;
    if (!dot)
        return NULL;
    size_t body_len = (size_t)(dot - token);
    unsigned char want[32];
    size_t got_len = 0;
    unsigned char *got = mcp__base64_decode(dot + 1, strlen(dot + 1), &got_len);
    bool ok = got && got_len == 32 && mac(key, token, body_len, want) == 0 && memeql_sec(want, got, 32);
    free(got);
    if (!ok)
        return NULL;
    size_t json_len = 0;
    unsigned char *json = mcp__base64_decode(token, body_len, &json_len);
    cJSON *payload = json ? cJSON_ParseWithLength((const char *)json, json_len) : NULL;
    free(json);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(payload, "m");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(payload, "t");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(payload, "e");
    cJSON *r = cJSON_DetachItemFromObjectCaseSensitive(payload, "r");
    ok = cJSON_IsString(m) && strcmp(m->valuestring, method) == 0 && cJSON_IsString(t) &&
         strcmp(t->valuestring, target ? target : "") == 0 && cJSON_IsNumber(e) && e->valuedouble >= (double)now &&
         cJSON_IsObject(r);
    cJSON_Delete(payload);
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}
