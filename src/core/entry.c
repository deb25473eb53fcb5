/* Registry entries (tool, resource, prompt) and their lifetime: the
 * registry holds one reference, every call running a handler holds one
 * (taken under the registry's read lock, dropped when the call is freed),
 * so an entry removed while a call uses it stays valid and is freed by
 * whoever lets go last. A server that adds and removes tools no longer
 * grows. An atomic count, no lock and no allocation on the call path. */
#include "core/entry.h"

#include <stdlib.h>

static atomic_long live_entries;

static void entry_created(void)
{
    atomic_fetch_add_explicit(&live_entries, 1, memory_order_relaxed);
}

long mcp__entry_live_count(void)
{
    return atomic_load(&live_entries);
}

tool_entry *mcp__tool_entry_new(void)
{
    tool_entry *t = calloc(1, sizeof *t);
    if (t) {
        atomic_init(&t->refs, 1);
        entry_created();
    }
    return t;
}

resource_entry *mcp__resource_entry_new(void)
{
    resource_entry *r = calloc(1, sizeof *r);
    if (r) {
        atomic_init(&r->refs, 1);
        entry_created();
    }
    return r;
}

prompt_entry *mcp__prompt_entry_new(void)
{
    prompt_entry *p = calloc(1, sizeof *p);
    if (p) {
        atomic_init(&p->refs, 1);
        entry_created();
    }
    return p;
}

void mcp__tool_entry_free(tool_entry *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->scopes);
    cJSON_Delete(t->def);
    mcp__schema_free(t->input);
    mcp__schema_free(t->output);
    free(t);
    atomic_fetch_sub_explicit(&live_entries, 1, memory_order_relaxed);
}

void mcp__resource_entry_free(resource_entry *r)
{
    if (!r)
        return;
    free(r->key);
    free(r->scopes);
    cJSON_Delete(r->def);
    free(r);
    atomic_fetch_sub_explicit(&live_entries, 1, memory_order_relaxed);
}

void mcp__prompt_entry_free(prompt_entry *p)
{
    if (!p)
        return;
    free(p->name);
    cJSON_Delete(p->def);
    free(p);
    atomic_fetch_sub_explicit(&live_entries, 1, memory_order_relaxed);
}


void mcp__entry_hold(call_kind kind, const void *entry)
{
    if (!entry)
        return;
    if (kind == CALL_TOOL)
        atomic_fetch_add_explicit(&((tool_entry *)entry)->refs, 1, memory_order_relaxed);
    else if (kind == CALL_RESOURCE)
        atomic_fetch_add_explicit(&((resource_entry *)entry)->refs, 1, memory_order_relaxed);
    else if (kind == CALL_PROMPT)
        atomic_fetch_add_explicit(&((prompt_entry *)entry)->refs, 1, memory_order_relaxed);
}

void mcp__entry_release(call_kind kind, const void *entry)
{
    if (!entry)
        return;
    if (kind == CALL_TOOL) {
        tool_entry *t = (tool_entry *)entry;
        if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
            mcp__tool_entry_free(t);
    } else if (kind == CALL_RESOURCE) {
        resource_entry *r = (resource_entry *)entry;
        if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
            mcp__resource_entry_free(r);
    } else if (kind == CALL_PROMPT) {
        prompt_entry *p = (prompt_entry *)entry;
        if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
            mcp__prompt_entry_free(p);
    }
}
