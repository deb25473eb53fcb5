/* Reverse proxies in front of the HTTP transport (production.md §2): which
 * TCP peers are trusted proxies, the client address behind them, and the
 * public URL clients use (the configured one, or one built from Forwarded /
 * X-Forwarded-* of a trusted peer, else from the socket and Host). */
#ifndef MCP_TRANSPORT_HTTP_PROXY_H
#define MCP_TRANSPORT_HTTP_PROXY_H

#include "transport/http_internal.h"

typedef struct mcp__proxy_list mcp__proxy_list;

/* Parse a comma list of IPv4/IPv6 addresses and CIDRs ("127.0.0.1,
 * 10.0.0.0/8, ::1"). NULL or "" gives an empty list. 0 and *out (free with
 * mcp__proxy_list_free), or -MCP_EINVAL for a malformed entry. */
int mcp__proxy_list_parse(const char *text, mcp__proxy_list **out);
void mcp__proxy_list_free(mcp__proxy_list *l);
bool mcp__proxy_trusted(const mcp__proxy_list *l, const struct sockaddr *sa);

/* The client's address: the TCP peer, or behind trusted proxies the last
 * hop of Forwarded for= / X-Forwarded-For that is not a trusted proxy. */
void mcp__http_client_addr(mcp_http_server *hs, struct MHD_Connection *conn, char *out, size_t outlen);

/* The endpoint's public URL (scheme://host[:port]<path>) for what clients
 * compare: the Server Card's remotes. Returns whether it came from the
 * configuration (false: derived from the request, so it varies with it). */
bool mcp__http_public_url(mcp_http_server *hs, struct MHD_Connection *conn, strbuf *out);

/* Whether the host name (len bytes, no port) is the one in public_url: the
 * public name a proxy forwards in Host is allowed like a listed one. */
bool mcp__http_is_public_host(mcp_http_server *hs, const char *name, size_t len);

/* The connection the current thread is answering (set around each call of
 * the access handler), so the request log can name the client. */
void mcp__http_conn_enter(struct MHD_Connection *conn);
struct MHD_Connection *mcp__http_conn_current(void);

#endif
