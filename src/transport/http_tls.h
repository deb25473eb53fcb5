/* HTTPS for the HTTP transport through libmicrohttpd's GnuTLS: the
 * certificate chain and key from PEM files, TLS 1.2 or newer, and a reload
 * (SIGHUP, mcp_http_reload_tls) that new handshakes pick up while open
 * connections carry on. */
#ifndef MCP_TRANSPORT_HTTP_TLS_H
#define MCP_TRANSPORT_HTTP_TLS_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "transport/http_internal.h"

/* TLS 1.2 and 1.3 only, GnuTLS' NORMAL suites otherwise. */
#define MCP__TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

typedef struct mcp__tls mcp__tls;

/* Load cert_file (PEM chain, leaf first) and key_file (PEM). 0 and *out, or
 * -MCP_EINVAL with a reason in err (unreadable, not PEM, no certificate). */
int mcp__tls_new(const char *cert_file, const char *key_file, mcp__tls **out, char *err, size_t errlen);
/* Read both files again; on failure the old pair stays in use. */
int mcp__tls_reload(mcp__tls *t, char *err, size_t errlen);
void mcp__tls_free(mcp__tls *t);   /* after the daemon stopped */

/* libmicrohttpd's MHD_OPTION_HTTPS_CERT_CALLBACK: the current pair for
 * each handshake (found through the connection's server). */
int mcp__tls_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                           const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                           gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);

#endif
