/* MCP Apps (io.modelcontextprotocol/ui) on the server side: no methods of
 * its own, only resources and _meta. mcp_server_add_app turns an mcp_app
 * into a ui:// resource whose HTML is held in memory from registration on
 * (so every read serves the same document) and whose _meta.ui is built
 * once. A tool's link to its UI is rendered by apps_meta.c, which the
 * registry calls (this file calls the registry, so it cannot). */
#include "core/apps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "core/call.h"
#include "core/extensions.h"
#include "core/registry.h"

#define APP_MAX_BYTES (8u * 1024 * 1024)

typedef struct app_entry {
    char *uri;
    char *html;
    cJSON *ui;                 /* _meta.ui of the content item, or NULL */
} app_entry;

void mcp__apps_free(mcp_server *srv)
{
    for (size_t i = 0; i < srv->apps.len; i++) {
        app_entry *a = srv->apps.items[i];
        free(a->uri);
        free(a->html);
        cJSON_Delete(a->ui);
        free(a);
    }
    free(srv->apps.items);
    srv->apps.items = NULL;
    srv->apps.len = srv->apps.cap = 0;
}

/* ---------------- apps ---------------- */

static int add_domains(cJSON *csp, const char *key, const char *const *list)
{
    if (!list)
        return 0;
    cJSON *arr = cJSON_AddArrayToObject(csp, key);
    for (const char *const *d = list; arr && *d; d++) {
        if (!**d || strpbrk(*d, " ;,\"'\r\n"))
            return -MCP_EINVAL;     /* one origin per entry, nothing that breaks a CSP header */
        cJSON_AddItemToArray(arr, cJSON_CreateString(*d));
    }
    return arr ? 0 : -MCP_ENOMEM;
}

/* The _meta.ui object of an app, or NULL (in *out) when it says nothing. */
static int app_ui_meta(const mcp_app *app, cJSON **out)
{
    cJSON *ui = cJSON_CreateObject();
    cJSON *csp = cJSON_CreateObject();
    cJSON *perm = cJSON_CreateObject();
    int rc = ui && csp && perm ? 0 : -MCP_ENOMEM;
    if (rc == 0) rc = add_domains(csp, "connectDomains", app->csp.connect_domains);
    if (rc == 0) rc = add_domains(csp, "resourceDomains", app->csp.resource_domains);
    if (rc == 0) rc = add_domains(csp, "frameDomains", app->csp.frame_domains);
    if (rc == 0) rc = add_domains(csp, "baseUriDomains", app->csp.base_uri_domains);
    if (rc == 0) {
        if (app->permissions.camera) cJSON_AddObjectToObject(perm, "camera");
        if (app->permissions.microphone) cJSON_AddObjectToObject(perm, "microphone");
        if (app->permissions.geolocation) cJSON_AddObjectToObject(perm, "geolocation");
        if (app->permissions.clipboard_write) cJSON_AddObjectToObject(perm, "clipboardWrite");
        if (csp->child)
            cJSON_AddItemToObject(ui, "csp", csp), csp = NULL;
        if (perm->child)
            cJSON_AddItemToObject(ui, "permissions", perm), perm = NULL;
        if (app->domain)
            cJSON_AddStringToObject(ui, "domain", app->domain);
        if (app->prefers_border != MCP_HINT_UNSET)
            cJSON_AddBoolToObject(ui, "prefersBorder", app->prefers_border == MCP_HINT_TRUE);
    }
    cJSON_Delete(csp);
    cJSON_Delete(perm);
    if (rc < 0 || !ui->child) {
        cJSON_Delete(ui);
        ui = NULL;
    }
    *out = ui;
    return rc;
}

static int load_html(const mcp_app *app, char **out)
{
    if (!app->html == !app->html_file)
        return -MCP_EINVAL;     /* exactly one source */
    if (app->html) {
        *out = strdup(app->html);
        return *out ? 0 : -MCP_ENOMEM;
    }
    FILE *f = fopen(app->html_file, "rb");
    if (!f) {
        fprintf(stderr, "libmcp: app %s: cannot open %s\n", app->uri, app->html_file);
        return -MCP_EIO;
    }
    strbuf sb = {0};
    char buf[16384];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = sb.len + n > APP_MAX_BYTES ? -MCP_ELIMIT : mcp__strbuf_append(&sb, buf, n);
    if (rc == 0 && ferror(f))
        rc = -MCP_EIO;
    fclose(f);
    if (rc == 0 && memchr(sb.data ? sb.data : "", '\0', sb.len))
        rc = -MCP_EINVAL;
    if (rc < 0) {
        mcp__strbuf_free(&sb);
        return rc;
    }
    *out = sb.data ? mcp__strbuf_take(&sb) : strdup("");
    return *out ? 0 : -MCP_ENOMEM;
}

/* UTF-8 and, past any leading whitespace and comments, an HTML document. */
static bool looks_like_html(const char *h)
{
    if (!mcp__utf8_valid(h, strlen(h)))
        return false;
    if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
        h += 3;
    for (;;) {
        while (*h == ' ' || *h == '\t' || *h == '\r' || *h == '\n')
            h++;
        if (strncmp(h, "<!--", 4) != 0)
            break;
        const char *end = strstr(h, "-->");
        if (!end)
            return false;
        h = end + 3;
    }
    return strncasecmp(h, "<!doctype html", 14) == 0 || strncasecmp(h, "<html", 5) == 0;
}

static int read_app(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)uri;
    (void)vars;
    const app_entry *a = userdata;
    int rc = mcp_call_resource_text(call, a->uri, MCP_APP_MIME, a->html);
    if (rc == 0 && a->ui) {
        cJSON *meta = cJSON_CreateObject();
        if (!meta)
            return -MCP_ENOMEM;
        cJSON_AddItemToObject(meta, "ui", cJSON_Duplicate(a->ui, 1));
        rc = mcp_call_content_meta_take(call, meta);
    }
    return rc;
}

int mcp_server_add_app(mcp_server *srv, const mcp_app *app)
{
    if (!srv || !app || !app->uri || strncmp(app->uri, "ui://", 5) != 0 || !app->uri[5] || !app->name)
        return -MCP_EINVAL;
    app_entry *a = calloc(1, sizeof *a);
    if (!a)
        return -MCP_ENOMEM;
    int rc = load_html(app, &a->html);
    if (rc == 0 && !looks_like_html(a->html)) {
        fprintf(stderr, "libmcp: app %s rejected: not a UTF-8 HTML document (<!doctype html> or <html> first)\n", app->uri);
        rc = -MCP_EINVAL;
    }
    if (rc == 0)
        rc = app_ui_meta(app, &a->ui);
    if (rc == 0 && !(a->uri = strdup(app->uri)))
        rc = -MCP_ENOMEM;
    char *meta_text = NULL;
    if (rc == 0 && a->ui) {
        cJSON *meta = cJSON_CreateObject();
        if (meta && cJSON_AddItemToObject(meta, "ui", cJSON_Duplicate(a->ui, 1)))
            meta_text = cJSON_PrintUnformatted(meta);
        cJSON_Delete(meta);
        if (!meta_text)
            rc = -MCP_ENOMEM;
    }
    /* Own the entry before the resource can be read. */
    if (rc == 0) {
        pthread_rwlock_wrlock(&srv->lock);
        rc = mcp__entry_list_push(&srv->apps, a);
        pthread_rwlock_unlock(&srv->lock);
    }
    if (rc < 0) {
        free(meta_text);
        free(a->uri);
        free(a->html);
        cJSON_Delete(a->ui);
        free(a);
        return rc;
    }
    mcp_resource r = {
        .uri = app->uri, .name = app->name, .title = app->title, .description = app->description,
        .mime_type = MCP_APP_MIME, .handler = read_app, .scopes = app->scopes, .meta = meta_text,
    };
    rc = mcp_server_add_resource(srv, &r, a);   /* on failure a stays owned by srv->apps */
    free(meta_text);
    if (rc == 0)
        rc = mcp__extension_declare(srv, MCP_EXT_UI, NULL);
    return rc;
}
