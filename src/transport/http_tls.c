/* TLS material for libmicrohttpd (GnuTLS build, as Debian ships it).
 * MHD 0.9.75 can only swap certificates through its certificate callback
 * (MHD_OPTION_HTTPS_CERT_CALLBACK), so every handshake asks here for the
 * current generation. A reload loads a new generation and makes it
 * current; older ones stay allocated until the server is freed, because a
 * handshake under way may still use them (reloads are rare and small).
 * The callback has no user pointer: GnuTLS' session pointer is the MHD
 * connection, whose socket context names the server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcp/error.h>

#include "transport/http_tls.h"

#define MAX_CHAIN 16

typedef struct tls_gen {
    gnutls_pcert_st pcerts[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    struct tls_gen *older;
} tls_gen;

struct mcp__tls {
    pthread_mutex_t lock;
    tls_gen *current;              /* newest first, older ones chained */
    char *cert_file, *key_file;
};

static void gen_free(tls_gen *g)
{
    for (unsigned i = 0; i < g->n; i++)
        gnutls_pcert_deinit(&g->pcerts[i]);
    if (g->key)
        gnutls_privkey_deinit(g->key);
    free(g);
}

static int fail(char *err, size_t errlen, const char *what, const char *file, int grc)
{
    snprintf(err, errlen, "%s %s: %s", what, file, grc ? gnutls_strerror(grc) : "failed");
    return -MCP_EINVAL;
}

static int gen_load(const char *cert_file, const char *key_file, tls_gen **out, char *err, size_t errlen)
{
    tls_gen *g = calloc(1, sizeof *g);
    if (!g)
        return -MCP_ENOMEM;
    gnutls_datum_t cert = {0}, key = {0};
    int rc = 0, grc;
    if ((grc = gnutls_load_file(cert_file, &cert)) < 0)
        rc = fail(err, errlen, "cannot read certificate", cert_file, grc);
    else if ((grc = gnutls_load_file(key_file, &key)) < 0)
        rc = fail(err, errlen, "cannot read key", key_file, grc);
    else if ((g->n = MAX_CHAIN, grc = gnutls_pcert_list_import_x509_raw(g->pcerts, &g->n, &cert, GNUTLS_X509_FMT_PEM, 0)) < 0 ||
             g->n == 0) {
        g->n = 0;
        rc = fail(err, errlen, "no PEM certificate chain in", cert_file, grc < 0 ? grc : 0);
    } else if ((grc = gnutls_privkey_init(&g->key)) < 0 ||
               (grc = gnutls_privkey_import_x509_raw(g->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        rc = fail(err, errlen, "no PEM private key in", key_file, grc);
    } else {
        /* The key must belong to the leaf certificate. */
        gnutls_pubkey_t pub = NULL;
        gnutls_datum_t a = {0}, b = {0};
        bool same = gnutls_pubkey_init(&pub) >= 0 && gnutls_pubkey_import_privkey(pub, g->key, 0, 0) >= 0 &&
                    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) >= 0 &&
                    gnutls_pubkey_export2(g->pcerts[0].pubkey, GNUTLS_X509_FMT_DER, &b) >= 0 &&
                    a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
        gnutls_free(a.data);
        gnutls_free(b.data);
        if (pub)
            gnutls_pubkey_deinit(pub);
        if (!same)
            rc = fail(err, errlen, "the key does not match the certificate in", cert_file, 0);
    }
    if (key.data) {
        gnutls_memset(key.data, 0, key.size);
        gnutls_free(key.data);
    }
    gnutls_free(cert.data);
    if (rc < 0) {
        gen_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int mcp__tls_new(const char *cert_file, const char *key_file, mcp__tls **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!cert_file || !key_file) {
        snprintf(err, errlen, "TLS needs both a certificate and a key file");
        return -MCP_EINVAL;
    }
    mcp__tls *t = calloc(1, sizeof *t);
    if (!t)
        return -MCP_ENOMEM;
    pthread_mutex_init(&t->lock, NULL);
    t->cert_file = strdup(cert_file);
    t->key_file = strdup(key_file);
    int rc = t->cert_file && t->key_file ? gen_load(cert_file, key_file, &t->current, err, errlen) : -MCP_ENOMEM;
    if (rc < 0) {
        mcp__tls_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int mcp__tls_reload(mcp__tls *t, char *err, size_t errlen)
{
    tls_gen *g = NULL;
    int rc = gen_load(t->cert_file, t->key_file, &g, err, errlen);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&t->lock);
    g->older = t->current;
    t->current = g;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

void mcp__tls_free(mcp__tls *t)
{
    if (!t)
        return;
    for (tls_gen *g = t->current, *next; g; g = next) {
        next = g->older;
        gen_free(g);
    }
    free(t->cert_file);
    free(t->key_file);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int mcp__tls_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                           const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                           gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    (void)req_ca_dn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    struct MHD_Connection *conn = gnutls_session_get_ptr(session);
    const union MHD_ConnectionInfo *ci = conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    conn_track *track = ci ? ci->socket_context : NULL;
    mcp__tls *t = track && track->hs ? track->hs->tls_ctx : NULL;
    if (!t)
        return -1;                    /* no server to ask: fail this handshake */
    pthread_mutex_lock(&t->lock);
    tls_gen *g = t->current;
    pthread_mutex_unlock(&t->lock);
    *pcert = g->pcerts;
    *pcert_length = g->n;
    *pkey = g->key;
    return 0;
}
