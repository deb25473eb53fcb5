/* Conformance fixtures of mcp-everything: the tools, resources, prompts and
 * completion handler that the official MCP conformance suite expects
 * (names and payloads from tests/conformance, spec §5). main.c registers
 * them on a server with fixtures_register() and then picks a transport.
 * fixtures_tools.c owns the legacy tools, fixtures_modern.c the fixtures
 * only the 2026-07-28 scenarios use, fixtures.c the rest. */
#ifndef MCP_EVERYTHING_FIXTURES_H
#define MCP_EVERYTHING_FIXTURES_H

#include <mcp/mcp.h>

/* Test payloads shared by tools, resources and prompts. */
#define TEST_IMAGE_BASE64 \
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
#define TEST_AUDIO_BASE64 "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

/* Input schema of every tool that takes no arguments. */
#define EMPTY_OBJECT_SCHEMA "{\"type\":\"object\",\"properties\":{}}"

/* One content block described as data; kind BLOCK_END ends an array. */
typedef enum { BLOCK_END = 0, BLOCK_TEXT, BLOCK_IMAGE, BLOCK_AUDIO, BLOCK_EMBEDDED_TEXT } block_kind;

typedef struct block_spec {
    block_kind kind;
    const char *text;      /* TEXT, EMBEDDED_TEXT: the text; IMAGE, AUDIO: base64 data */
    const char *mime_type; /* IMAGE, AUDIO, EMBEDDED_TEXT */
    const char *uri;       /* EMBEDDED_TEXT */
} block_spec;

/* A new cJSON content block for spec, or NULL on ENOMEM. */
cJSON *fixture_block(const block_spec *spec);

/* Register every legacy-suite tool (fixtures_tools.c). Returns 0 or a negative MCP_E*. */
int fixtures_register_tools(mcp_server *srv);

/* The 2026-07-28 fixtures (fixtures_modern.c): the tools, listed after the
 * legacy ones, then the resource and the prompt, listed after theirs. */
int fixtures_register_modern_tools(mcp_server *srv);
int fixtures_register_modern_rest(mcp_server *srv);

/* The tasks-* fixtures (fixtures_tasks.c), listed after the modern tools. */
int fixtures_register_task_tools(mcp_server *srv);

/* Register every tool, resource, prompt and the completion handler. */
int fixtures_register(mcp_server *srv);

#endif
