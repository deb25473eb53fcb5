/* What every public libmcp header needs: the standard types its
 * declarations use, MCP_EXTERN (the mark that exports a function from the
 * shared library; everything unmarked is hidden) and MCP_PRINTF (format
 * checking where the compiler has it). Strings passed in option structs
 * are borrowed: keep them alive while the object that took them lives. */
#ifndef MCP_COMMON_H
#define MCP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define MCP_EXTERN __attribute__((visibility("default")))
#define MCP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MCP_EXTERN
#define MCP_PRINTF(fmt, args)
#endif

#endif
