/* The base layer in one include: string buffer, UTF-8/JSON lexical checks,
 * base64, CSPRNG ids and the clock. Each is declared in the header named
 * after the file that defines it; this header only includes them. */
#ifndef MCP_BASE_UTIL_H
#define MCP_BASE_UTIL_H

#include "base/base64.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/strbuf.h"
#include "base/utf8.h"

#endif
