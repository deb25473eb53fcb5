/* Server Card (SEP-2127, draft: everything here may change, hence opt-in by
 * setting mcp_server_info.registry_name). The card is built from the server
 * info and one streamable-http remote at the public URL (http_proxy.c),
 * never from anything private. It is public: CORS `*`, cacheable for an
 * hour, with a strong ETag over the body and 304 on If-None-Match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mcp/error.h>

#include "core/server_internal.h"
#include "core/version.h"
#include "transport/http_common.h"
#include "transport/http_cors.h"
#include "transport/http_proxy.h"
#include "transport/server_card.h"

#define CARD_SCHEMA "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json"
#define CARD_TYPE "application/mcp-server-card+json"
#define CARD_SUFFIX "/server-card"
#define CARD_MAX_DESCRIPTION 100

int mcp__server_card_check(const mcp_server *srv)
{
    const char *n = srv->registry_name;
    if (!n)
        return 0;
    size_t len = strlen(n);
    const char *slash = strchr(n, '/');
    if (len < 3 || len > 200 || !slash || strchr(slash + 1, '/') || slash == n || !slash[1] || !memchr(n, '.', (size_t)(slash - n)))
        return -MCP_EINVAL;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._/", *p)))
            return -MCP_EINVAL;
    return 0;
}

bool mcp__server_card_path(mcp_http_server *hs, const char *url)
{
    size_t plen = strlen(hs->o.path);
    return hs->srv->registry_name && strncmp(url, hs->o.path, plen) == 0 && strcmp(url + plen, CARD_SUFFIX) == 0;
}

/* At most max bytes, cut on a UTF-8 character boundary. */
static cJSON *clipped(const char *text, size_t max)
{
    size_t n = strlen(text);
    if (n > max) {
        n = max;
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    char *copy = strndup(text, n);
    cJSON *s = copy ? cJSON_CreateString(copy) : NULL;
    free(copy);
    return s;
}

static void add_repository(cJSON *card, const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return;
    host += 3;
    size_t hlen = strcspn(host, "/:");
    cJSON *repo = cJSON_AddObjectToObject(card, "repository");
    cJSON_AddStringToObject(repo, "url", url);
    char source[64];
    if (hlen == 10 && strncasecmp(host, "github.com", 10) == 0)
        snprintf(source, sizeof source, "github");
    else if (hlen == 10 && strncasecmp(host, "gitlab.com", 10) == 0)
        snprintf(source, sizeof source, "gitlab");
    else
        snprintf(source, sizeof source, "%.*s", (int)(hlen < 63 ? hlen : 63), host);
    cJSON_AddStringToObject(repo, "source", source);
}

static char *card_text(mcp_http_server *hs, struct MHD_Connection *conn, bool *fixed_url)
{
    const mcp_server *srv = hs->srv;
    cJSON *card = cJSON_CreateObject();
    if (!card)
        return NULL;
    cJSON_AddStringToObject(card, "$schema", CARD_SCHEMA);
    cJSON_AddStringToObject(card, "name", srv->registry_name);
    cJSON_AddStringToObject(card, "version", srv->version);
    const char *desc = srv->description ? srv->description : srv->title ? srv->title : srv->name;
    cJSON_AddItemToObject(card, "description", clipped(desc, CARD_MAX_DESCRIPTION));
    if (srv->title)
        cJSON_AddStringToObject(card, "title", srv->title);
    if (srv->website_url)
        cJSON_AddStringToObject(card, "websiteUrl", srv->website_url);
    if (srv->repository_url)
        add_repository(card, srv->repository_url);
    strbuf url = {0};
    *fixed_url = mcp__http_public_url(hs, conn, &url);
    cJSON *remote = cJSON_CreateObject();
    cJSON_AddStringToObject(remote, "type", "streamable-http");
    cJSON_AddStringToObject(remote, "url", url.data ? url.data : "");
    mcp__strbuf_free(&url);
    cJSON *versions = cJSON_AddArrayToObject(remote, "supportedProtocolVersions");
    for (int v = MCP_V_COUNT - 1; v >= (int)MCP_V_2025_03_26; v--)   /* the streamable-http eras */
        cJSON_AddItemToArray(versions, cJSON_CreateString(mcp__version_name((mcp__revision)v)));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(card, "remotes"), remote);
    char *text = cJSON_PrintUnformatted(card);
    cJSON_Delete(card);
    return text;
}

/* FNV-1a 64 over the body: stable across restarts and instances. */
static void etag_of(const char *text, char out[20])
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    snprintf(out, 20, "\"%016llx\"", (unsigned long long)h);
}

static bool etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    size_t elen = strlen(etag);
    for (const char *p = if_none_match; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if ((n == 1 && *p == '*') || (n == elen && strncmp(p, etag, n) == 0) ||
            (n == elen + 2 && strncmp(p, "W/", 2) == 0 && strncmp(p + 2, etag, elen) == 0))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

static enum MHD_Result send_card(struct MHD_Connection *conn, unsigned status, char *text_take, const char *etag,
                                 bool fixed_url)
{
    size_t len = status == MHD_HTTP_NOT_MODIFIED ? 0 : strlen(text_take);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text_take, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text_take);
        return MHD_NO;
    }
    if (status == MHD_HTTP_OK)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CARD_TYPE);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=3600");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (!fixed_url)                       /* the remote URL follows the request */
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Host, Forwarded, X-Forwarded-Host, X-Forwarded-Proto");
    mcp__cors_public(r, "ETag");
    enum MHD_Result ret = mcp__http_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result mcp__server_card_reply(mcp_http_server *hs, struct MHD_Connection *conn, const char *method)
{
    uint64_t start = mcp__now_us();
    if (strcmp(method, "OPTIONS") == 0) {
        mcp__http_log_request(hs, method, "", MHD_HTTP_NO_CONTENT, start, NULL);
        return mcp__cors_preflight_public(conn, "content-type, if-none-match");
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        mcp__http_log_request(hs, method, "", MHD_HTTP_METHOD_NOT_ALLOWED, start, NULL);
        return mcp__http_reply_not_allowed(conn, "GET, HEAD, OPTIONS");
    }
    bool fixed_url = false;
    char *text = card_text(hs, conn, &fixed_url);
    if (!text)
        return MHD_NO;
    char etag[20];
    etag_of(text, etag);
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    unsigned status = etag_matches(inm, etag) ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
    mcp__http_log_request(hs, method, "", status, start, NULL);
    return send_card(conn, status, text, etag, fixed_url);
}
