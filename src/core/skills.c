/* Skills (SEP-2640): mcp_server_add_skills_dir loads a directory of skills
 * once, at registration: every file is read into memory, hashed (SHA-256,
 * nettle) and sized, SKILL.md frontmatter is parsed into JSON, and each
 * skill's skills/list entry and each directory's children are built then.
 * Files are served as ordinary resources (resources/read returns exactly
 * the hashed bytes); skills/list, skills/get and resources/directory/read
 * only copy prebuilt JSON under the registry lock. Nothing is ever freed
 * before the server, so a resource handler's file pointer stays valid. */
#include "core/skills.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#include "core/extensions.h"
#include "core/frontmatter.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/util.h"

#define SKILL_MAX_FILES 512                 /* SEP-2640 limits, per skill */
#define SKILL_MAX_BYTES (16u * 1024 * 1024)
#define SKILL_MAX_DEPTH 16                  /* folders inside one skill */
#define PREFIX_MAX_DEPTH 8                  /* organisational folders above skills */
#define META_PREFIX "io.modelcontextprotocol.skills/"

typedef struct skill_file {
    char *uri;
    char *rel;                 /* path inside the skill, e.g. "references/guide.md" */
    const char *mime;          /* static */
    unsigned char *data;       /* size bytes, then a NUL */
    size_t size;
    bool text;                 /* valid UTF-8 without NUL: served as text, else blob */
    char digest[7 + 2 * SHA256_DIGEST_SIZE + 1];
} skill_file;

typedef struct skill_dir {
    char *uri;                 /* no trailing slash */
    cJSON *children;           /* Resource objects of the direct children */
} skill_dir;

typedef struct skill {
    char *uri;                 /* the SKILL.md URI */
    cJSON *entry;              /* {uri, frontmatter, resources} */
    cJSON *frontmatter;        /* inside entry */
    entry_list files, dirs;    /* skill_file*, skill_dir* */
    size_t total;              /* bytes over all files */
} skill;

struct mcp__skills {
    entry_list skills;         /* served, in registration order */
    entry_list dirs;           /* skill_dir* of served skills (borrowed from them) */
    entry_list graveyard;      /* skills of a failed registration, kept until the end */
    bool directory_read;
};

/* A loader error: the message goes to stderr (registration happens at
 * startup, the author needs to know what to fix). */
static int load_error(int rc, const char *path, const char *why)
{
    fprintf(stderr, "libmcp: skill %s rejected: %s\n", path, why);
    return rc;
}

static void skill_free(skill *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->files.len; i++) {
        skill_file *f = s->files.items[i];
        free(f->uri);
        free(f->rel);
        free(f->data);
        free(f);
    }
    for (size_t i = 0; i < s->dirs.len; i++) {
        skill_dir *d = s->dirs.items[i];
        free(d->uri);
        cJSON_Delete(d->children);
        free(d);
    }
    free(s->files.items);
    free(s->dirs.items);
    free(s->uri);
    cJSON_Delete(s->entry);
    free(s);
}

void mcp__skills_free(struct mcp__skills *sk)
{
    if (!sk)
        return;
    for (size_t i = 0; i < sk->skills.len; i++)
        skill_free(sk->skills.items[i]);
    for (size_t i = 0; i < sk->graveyard.len; i++)
        skill_free(sk->graveyard.items[i]);
    free(sk->skills.items);
    free(sk->dirs.items);
    free(sk->graveyard.items);
    free(sk);
}

/* ---------------- loading ---------------- */

static const char *mime_of(const char *name, bool text)
{
    static const struct { const char *ext, *mime; } table[] = {
        {".md", "text/markdown"}, {".markdown", "text/markdown"}, {".txt", "text/plain"},
        {".json", "application/json"}, {".yaml", "application/yaml"}, {".yml", "application/yaml"},
        {".py", "text/x-python"}, {".sh", "text/x-shellscript"}, {".js", "text/javascript"},
        {".ts", "text/plain"}, {".html", "text/html"}, {".css", "text/css"}, {".csv", "text/csv"},
        {".xml", "application/xml"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".pdf", "application/pdf"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof table / sizeof table[0]; i++)
        if (strcasecmp(dot, table[i].ext) == 0)
            return table[i].mime;
    return text ? "text/plain" : "application/octet-stream";
}

/* Append name to base as one URI path segment, percent-encoding all but
 * the unreserved characters (RFC 3986). */
static char *uri_join(const char *base, const char *name)
{
    strbuf sb = {0};
    strbuf_puts(&sb, base);
    strbuf_puts(&sb, "/");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c))
            strbuf_append(&sb, c, 1);
        else
            strbuf_printf(&sb, "%%%02X", *c);
    }
    return strbuf_take(&sb);
}

static char *path_join(const char *a, const char *b)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "%s/%s", a, b);
    return strbuf_take(&sb);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of dir, sorted (so listings and digests are stable). */
static int list_dir(const char *dir, char ***names_out, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -MCP_EIO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **g = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *g);
            if (!g) {
                rc = -MCP_ENOMEM;
                break;
            }
            names = g;
        }
        if (!(names[n] = strdup(e->d_name)))
            rc = -MCP_ENOMEM;
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *names_out = names;
    *n_out = n;
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int read_file(const char *path, size_t limit, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -MCP_EIO;
    strbuf sb = {0};
    char buf[16384];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (sb.len + n > limit)
            rc = -MCP_ELIMIT;
        else
            rc = strbuf_append(&sb, buf, n);
    }
    if (rc == 0 && ferror(f))
        rc = -MCP_EIO;
    fclose(f);
    if (rc < 0) {
        strbuf_free(&sb);
        return rc;
    }
    *size = sb.len;
    *data = (unsigned char *)strbuf_take(&sb);   /* "" for an empty file: always NUL-terminated */
    return *data ? 0 : -MCP_ENOMEM;
}

static void sha256_hex(const unsigned char *data, size_t len, char out[7 + 2 * SHA256_DIGEST_SIZE + 1])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
    memcpy(out, "sha256:", 7);
    for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static cJSON *child_resource(const char *uri, const char *name, const char *mime, const size_t *size)
{
    cJSON *r = cJSON_CreateObject();
    if (r) {
        cJSON_AddStringToObject(r, "uri", uri);
        cJSON_AddStringToObject(r, "name", name);
        cJSON_AddStringToObject(r, "mimeType", mime);
        if (size)
            cJSON_AddNumberToObject(r, "size", (double)*size);
    }
    return r;
}

/* Load the folder dir (URI dir_uri, path rel inside the skill) into s. */
static int load_tree(skill *s, const char *dir, const char *dir_uri, const char *rel, int depth)
{
    if (depth > SKILL_MAX_DEPTH)
        return load_error(-MCP_ELIMIT, dir, "folders nested too deep");
    skill_dir *sd = calloc(1, sizeof *sd);
    if (!sd || entry_list_push(&s->dirs, sd) < 0) {
        free(sd);
        return -MCP_ENOMEM;
    }
    sd->uri = strdup(dir_uri);
    sd->children = cJSON_CreateArray();
    if (!sd->uri || !sd->children)
        return -MCP_ENOMEM;
    char **names;
    size_t n;
    int rc = list_dir(dir, &names, &n);
    if (rc == -MCP_EIO)
        return load_error(rc, dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = path_join(dir, names[i]);
        char *uri = uri_join(dir_uri, names[i]);
        char *sub = *rel ? path_join(rel, names[i]) : strdup(names[i]);
        struct stat st;
        if (!path || !uri || !sub) {
            rc = -MCP_ENOMEM;
        } else if (lstat(path, &st) < 0) {
            rc = load_error(-MCP_EIO, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            cJSON_AddItemToArray(sd->children, child_resource(uri, names[i], "inode/directory", NULL));
            rc = load_tree(s, path, uri, sub, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            skill_file *f = calloc(1, sizeof *f);
            if (!f || entry_list_push(&s->files, f) < 0) {
                free(f);
                rc = -MCP_ENOMEM;
            } else if (s->files.len > SKILL_MAX_FILES) {
                rc = load_error(-MCP_ELIMIT, path, "the skill has more than 512 files");
            } else if ((rc = read_file(path, SKILL_MAX_BYTES - s->total, &f->data, &f->size)) < 0) {
                rc = load_error(rc, path, rc == -MCP_ELIMIT ? "the skill's files exceed 16 MiB in total" : strerror(errno));
            } else {
                s->total += f->size;
                f->text = !memchr(f->data, '\0', f->size) && utf8_valid((const char *)f->data, f->size);
                f->mime = mime_of(names[i], f->text);
                sha256_hex(f->data, f->size, f->digest);
                f->uri = uri;
                f->rel = sub;
                uri = sub = NULL;
                cJSON_AddItemToArray(sd->children, child_resource(f->uri, names[i], f->mime, &f->size));
            }
        }   /* symbolic links and special files are not part of a skill */
        free(path);
        free(uri);
        free(sub);
    }
    free_names(names, n);
    return rc;
}

static bool valid_skill_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
        if (!ok || (s[i] == '-' && s[i + 1] == '-'))
            return false;
    }
    return true;
}

static const skill_file *find_file(const skill *s, const char *rel)
{
    for (size_t i = 0; i < s->files.len; i++) {
        const skill_file *f = s->files.items[i];
        if (strcmp(f->rel, rel) == 0)
            return f;
    }
    return NULL;
}

/* The skills/list entry: SKILL.md first in resources, then the rest in
 * path order. */
static cJSON *build_entry(skill *s, const skill_file *md)
{
    cJSON *e = cJSON_CreateObject();
    cJSON *res = e ? cJSON_CreateArray() : NULL;
    if (!res) {
        cJSON_Delete(e);
        return NULL;
    }
    cJSON_AddStringToObject(e, "uri", md->uri);
    cJSON_AddItemToObject(e, "frontmatter", s->frontmatter);
    cJSON_AddItemToObject(e, "resources", res);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->files.len; i++) {
            const skill_file *f = s->files.items[i];
            if ((f == md) != (pass == 0))
                continue;
            cJSON *r = cJSON_CreateObject();
            if (!r)
                continue;
            cJSON_AddStringToObject(r, "uri", f->uri);
            cJSON_AddStringToObject(r, "digest", f->digest);
            cJSON_AddNumberToObject(r, "size", (double)f->size);
            cJSON_AddItemToArray(res, r);
        }
    return e;
}

static int load_skill(const char *dir, const char *root_uri, const char *name, skill **out)
{
    skill *s = calloc(1, sizeof *s);
    if (!s)
        return -MCP_ENOMEM;
    int rc = load_tree(s, dir, root_uri, "", 0);
    const skill_file *md = rc == 0 ? find_file(s, "SKILL.md") : NULL;
    char why[512];
    if (rc == 0 && !md)
        rc = load_error(-MCP_EINVAL, dir, "no SKILL.md");
    if (rc == 0 && !(s->frontmatter = mcp__frontmatter_parse((const char *)md->data, md->size, why, sizeof why)))
        rc = load_error(-MCP_EINVAL, md->uri, why);
    if (rc == 0) {
        const char *fm_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "name"));
        const char *desc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "description"));
        if (!fm_name || !valid_skill_name(fm_name))
            rc = load_error(-MCP_EINVAL, md->uri, "frontmatter name must be 1-64 characters of [a-z0-9] and single inner hyphens");
        else if (strcmp(fm_name, name) != 0)
            rc = load_error(-MCP_EINVAL, md->uri, "the folder name must equal the frontmatter name");
        else if (!desc || !*desc)
            rc = load_error(-MCP_EINVAL, md->uri, "frontmatter needs a non-empty description");
    }
    if (rc == 0) {
        s->uri = strdup(md->uri);
        s->entry = build_entry(s, md);
        if (!s->entry)
            cJSON_Delete(s->frontmatter);
        rc = s->uri && s->entry ? 0 : -MCP_ENOMEM;
    } else {
        cJSON_Delete(s->frontmatter);
    }
    if (rc < 0) {
        s->frontmatter = NULL;
        skill_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static bool has_skill_md(const char *dir)
{
    char *p = path_join(dir, "SKILL.md");
    struct stat st;
    bool yes = p && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return yes;
}

/* Collect the skills under dir (URI prefix base) into found. */
static int scan(const char *dir, const char *base, int depth, entry_list *found)
{
    if (depth > PREFIX_MAX_DEPTH)
        return 0;
    char **names;
    size_t n;
    int rc = list_dir(dir, &names, &n);
    if (rc == -MCP_EIO)
        return load_error(rc, dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = path_join(dir, names[i]);
        char *uri = *base ? uri_join(base, names[i]) : NULL;
        if (!*base && path) {
            strbuf sb = {0};
            strbuf_printf(&sb, "skill://%s", names[i]);
            uri = strbuf_take(&sb);
        }
        struct stat st;
        if (!path || !uri) {
            rc = -MCP_ENOMEM;
        } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            skill *s = NULL;
            if (has_skill_md(path)) {
                rc = load_skill(path, uri, names[i], &s);
                if (rc == 0 && (rc = entry_list_push(found, s)) < 0)
                    skill_free(s);
            } else {
                rc = scan(path, uri, depth + 1, found);
            }
        }
        free(path);
        free(uri);
    }
    free_names(names, n);
    return rc;
}

/* ---------------- registration ---------------- */

static int read_skill_file(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)uri;
    (void)vars;
    const skill_file *f = userdata;
    if (f->text)
        return mcp_call_resource_text(call, f->uri, f->mime, (const char *)f->data);
    char *b64 = base64_encode(f->data, f->size);
    if (!b64)
        return -MCP_ENOMEM;
    int rc = mcp_call_resource_blob(call, f->uri, f->mime, b64);
    free(b64);
    return rc;
}

/* Register a skill's files as resources. SKILL.md is named and described by
 * its frontmatter; the rest of the frontmatter rides in _meta under the
 * extension's prefix. Returns how many were added through *added. */
static int register_files(mcp_server *srv, const skill *s, size_t *added)
{
    cJSON *extra = cJSON_Duplicate(s->frontmatter, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(extra, "name");
    cJSON_DeleteItemFromObjectCaseSensitive(extra, "description");
    char *meta = NULL;
    if (extra && extra->child) {
        cJSON *m = cJSON_CreateObject();
        if (m) {
            cJSON_AddItemToObject(m, META_PREFIX "frontmatter", extra);
            extra = NULL;
            meta = cJSON_PrintUnformatted(m);
            cJSON_Delete(m);
        }
    }
    cJSON_Delete(extra);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->files.len; i++) {
        const skill_file *f = s->files.items[i];
        bool md = strcmp(f->rel, "SKILL.md") == 0;
        mcp_resource r = {
            .uri = f->uri,
            .name = md ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "name")) : f->rel,
            .description = md ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "description")) : NULL,
            .mime_type = f->mime,
            .handler = read_skill_file,
            .meta = md ? meta : NULL,
        };
        rc = mcp_server_add_resource(srv, &r, (void *)f);
        if (rc == 0)
            (*added)++;
        else
            fprintf(stderr, "libmcp: skill file %s not registered: %s\n", f->uri, mcp_strerror(rc));
    }
    free(meta);
    return rc;
}

static void unregister_files(mcp_server *srv, const skill *s, size_t count)
{
    for (size_t i = 0; i < count && i < s->files.len; i++)
        mcp_server_remove_resource(srv, ((const skill_file *)s->files.items[i])->uri);
}

static bool valid_prefix(const char *p)
{
    if (!*p || *p == '/' || p[strlen(p) - 1] == '/' || strstr(p, "//"))
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p)))
            return false;
    return true;
}

/* Move the loaded skills into the server's catalogue (under the lock). */
static int publish(mcp_server *srv, entry_list *found, bool directory_read)
{
    int rc = 0;
    pthread_rwlock_wrlock(&srv->lock);
    if (!srv->skills && !(srv->skills = calloc(1, sizeof *srv->skills)))
        rc = -MCP_ENOMEM;
    struct mcp__skills *sk = srv->skills;
    for (size_t i = 0; rc == 0 && i < found->len; i++) {
        skill *s = found->items[i];
        rc = entry_list_push(&sk->skills, s);
        for (size_t d = 0; rc == 0 && d < s->dirs.len; d++)
            rc = entry_list_push(&sk->dirs, s->dirs.items[d]);
        if (rc == 0)
            found->items[i] = NULL;
    }
    if (rc == 0 && directory_read)
        sk->directory_read = true;
    bool dr = sk && sk->directory_read;
    pthread_rwlock_unlock(&srv->lock);
    if (rc == 0) {
        cJSON *settings = cJSON_CreateObject();
        if (settings && dr)
            cJSON_AddTrueToObject(settings, "directoryRead");
        rc = mcp__extension_declare(srv, MCP_EXT_SKILLS, settings);
    }
    return rc;
}

int mcp_server_add_skills_dir(mcp_server *srv, const char *path, const mcp_skills_options *opts)
{
    mcp_skills_options o = opts ? *opts : (mcp_skills_options){0};
    if (!srv || !path || (o.uri_prefix && !valid_prefix(o.uri_prefix)))
        return -MCP_EINVAL;
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return load_error(-MCP_ENOTFOUND, path, "not a directory");
    strbuf base = {0};
    if (o.uri_prefix)
        strbuf_printf(&base, "skill://%s", o.uri_prefix);
    entry_list found = {0};
    int rc = 0;
    if (has_skill_md(path)) {
        /* path is one skill: its folder name is its name. */
        char *copy = strdup(path);
        size_t n = copy ? strlen(copy) : 0;
        while (n > 1 && copy[n - 1] == '/')
            copy[--n] = '\0';
        const char *slash = copy ? strrchr(copy, '/') : NULL;
        const char *name = slash ? slash + 1 : copy;
        char *uri = NULL;
        if (name && base.data) {
            uri = uri_join(base.data, name);
        } else if (name) {
            strbuf sb = {0};
            strbuf_printf(&sb, "skill://%s", name);
            uri = strbuf_take(&sb);
        }
        skill *s = NULL;
        rc = !uri ? -MCP_ENOMEM : load_skill(path, uri, name, &s);
        if (rc == 0 && (rc = entry_list_push(&found, s)) < 0)
            skill_free(s);
        free(uri);
        free(copy);
    } else {
        rc = scan(path, base.data ? base.data : "", 0, &found);
    }
    strbuf_free(&base);
    if (rc == 0 && found.len == 0)
        rc = load_error(-MCP_ENOTFOUND, path, "no folder with a SKILL.md");
    size_t done = 0, added = 0;
    for (; rc == 0 && done < found.len; done++) {
        added = 0;
        rc = register_files(srv, found.items[done], &added);
    }
    if (rc < 0 && found.len) {
        /* Nothing half-served: take back what this call registered. */
        size_t last = done ? done - 1 : 0;
        if (done)
            unregister_files(srv, found.items[last], added);
        for (size_t i = 0; i < last; i++)
            unregister_files(srv, found.items[i], ((skill *)found.items[i])->files.len);
    }
    if (rc == 0)
        rc = publish(srv, &found, !o.no_directory_read);
    if (rc < 0 && found.len) {
        /* Their files may have been visible for a moment: keep them alive. */
        pthread_rwlock_wrlock(&srv->lock);
        if (!srv->skills)
            srv->skills = calloc(1, sizeof *srv->skills);
        for (size_t i = 0; i < found.len; i++)
            if (found.items[i] && (!srv->skills || entry_list_push(&srv->skills->graveyard, found.items[i]) < 0))
                skill_free(found.items[i]);   /* out of memory: nothing better to do */
        pthread_rwlock_unlock(&srv->lock);
    }
    free(found.items);
    return rc;
}

/* ---------------- methods ---------------- */

static struct mcp__skills *served(mcp_call *call, bool need_directory_read)
{
    pthread_rwlock_rdlock(&call->srv->lock);
    struct mcp__skills *sk = call->srv->skills;
    bool ok = sk && sk->skills.len && (!need_directory_read || sk->directory_read);
    pthread_rwlock_unlock(&call->srv->lock);
    if (!ok) {
        char msg[160];
        snprintf(msg, sizeof msg, "Method not found: %s (this server %s)", call->method,
                 need_directory_read && sk && sk->skills.len ? "does not offer directoryRead" : "serves no skills");
        call_reply_error(call, JSONRPC_METHOD_NOT_FOUND, msg);
        return NULL;
    }
    return sk;
}

static const cJSON *entry_of(const void *s)
{
    return ((const skill *)s)->entry;
}

void mcp__method_skills_list(mcp_call *call)
{
    struct mcp__skills *sk = served(call, false);
    if (sk)
        reply_list(call, &sk->skills, "skills", entry_of);
}

void mcp__method_skills_get(mcp_call *call)
{
    struct mcp__skills *sk = served(call, false);
    if (!sk)
        return;
    const char *uri = param_string(call, "uri");
    if (!uri) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: skills/get needs a uri string");
        return;
    }
    cJSON *entry = NULL;
    pthread_rwlock_rdlock(&call->srv->lock);
    for (size_t i = 0; i < sk->skills.len && !entry; i++) {
        const skill *s = sk->skills.items[i];
        if (strcmp(s->uri, uri) == 0)
            entry = cJSON_Duplicate(s->entry, 1);
    }
    pthread_rwlock_unlock(&call->srv->lock);
    if (!entry) {
        char msg[512];
        snprintf(msg, sizeof msg, "Invalid params: no skill is served at %.400s", uri);
        call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    if (result)
        cJSON_AddItemToObject(result, "skill", entry);
    else
        cJSON_Delete(entry);
    call_reply_result(call, result);
}

void mcp__method_resources_directory_read(mcp_call *call)
{
    struct mcp__skills *sk = served(call, true);
    if (!sk)
        return;
    const char *uri = param_string(call, "uri");
    if (!uri) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: resources/directory/read needs a uri string");
        return;
    }
    const cJSON *cursor = cJSON_GetObjectItemCaseSensitive(call->params, "cursor");
    const char *c = cJSON_GetStringValue(cursor);
    char *stop = NULL;
    unsigned long long offset = c && *c ? strtoull(c, &stop, 10) : 0;
    bool bad_cursor = cursor && (!c || (*c && *stop));
    cJSON *result = cJSON_CreateObject();
    cJSON *page = cJSON_CreateArray();
    bool found = false, more = false;
    size_t next = 0;
    pthread_rwlock_rdlock(&call->srv->lock);
    for (size_t i = 0; i < sk->dirs.len && !found; i++) {
        const skill_dir *d = sk->dirs.items[i];
        if (strcmp(d->uri, uri) != 0)
            continue;
        found = true;
        size_t n = (size_t)cJSON_GetArraySize(d->children);
        if (offset > n)
            bad_cursor = true;
        size_t end = bad_cursor ? 0 : (offset + call->srv->page_size < n ? offset + call->srv->page_size : n);
        for (size_t k = bad_cursor ? end : (size_t)offset; page && k < end; k++)
            cJSON_AddItemToArray(page, cJSON_Duplicate(cJSON_GetArrayItem(d->children, (int)k), 1));
        more = end < n;
        next = end;
    }
    pthread_rwlock_unlock(&call->srv->lock);
    if (!found || bad_cursor || !result || !page) {
        char msg[512];
        snprintf(msg, sizeof msg, !found ? "Invalid params: %.400s is not a served directory" : "Invalid cursor", uri);
        cJSON_Delete(result);
        cJSON_Delete(page);
        call_reply_error(call, !result || !page ? JSONRPC_INTERNAL_ERROR : JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    cJSON_AddItemToObject(result, "resources", page);
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", next);
        cJSON_AddStringToObject(result, "nextCursor", buf);
    }
    call_reply_result(call, result);
}
