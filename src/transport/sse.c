/* Server-Sent Event streams. A stream is a queue of bytes plus the MHD
 * connection draining it. The reader parks the connection (suspends it)
 * when the queue is empty and producers resume it, so an idle stream costs
 * no CPU. In stateful sessions every event carries an id "<stream>_<seq>"
 * (unique in the session, naming its stream) and stays in a bounded log so
 * a client that lost the connection can resume with Last-Event-ID; replay
 * only ever serves the stream the id names. */
#include <errno.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/sse.h"

#include "core/jsonrpc.h"
#include "transport/http_common.h"
#include "transport/http_cors.h"

static void http_session_free(void *data);
static void http_session_close(mcp_session *s);

#define MAX_STREAMS_PER_SESSION 32

/* An event framed under the stream's lock, waiting to be written to the
 * session store (Redis RPUSH) after the lock is released. */
typedef struct store_event {
    uint64_t seq;
    char *frame;
    size_t len;
    struct store_event *next;
} store_event;

http_session *mcp__http_session_of(mcp_session *s, bool create)
{
    pthread_mutex_lock(&s->lock);
    http_session *hsd = s->transport;
    if (!hsd && create && (hsd = calloc(1, sizeof *hsd))) {
        pthread_mutex_init(&hsd->lock, NULL);
        s->transport = hsd;
        s->transport_free = http_session_free;
        s->transport_close = http_session_close;
    }
    pthread_mutex_unlock(&s->lock);
    return hsd;
}

static void http_session_free(void *data)
{
    http_session *hsd = data;
    if (!hsd)
        return;
    http_stream *st = hsd->streams;
    while (st) {
        http_stream *next = st->session_next;
        mcp__stream_unref(st);
        st = next;
    }
    pthread_mutex_destroy(&hsd->lock);
    free(hsd);
}

/* Session closed (DELETE, expiry, shutdown): end its open streams and drop
 * the replay list. Streams hold a reference to their session, so keeping
 * the list past close would be a reference cycle. */
static void http_session_close(mcp_session *s)
{
    http_session *hsd = mcp__http_session_of(s, false);
    if (!hsd)
        return;
    pthread_mutex_lock(&hsd->lock);
    http_stream *list = hsd->streams;
    hsd->streams = NULL;
    hsd->nstreams = 0;
    hsd->standalone = NULL;
    pthread_mutex_unlock(&hsd->lock);
    while (list) {
        http_stream *next = list->session_next;
        mcp__stream_finish(list, false);
        mcp__stream_unref(list);
        list = next;
    }
}

http_stream *mcp__stream_new(mcp_http_server *hs, mcp_session *s, bool standalone)
{
    http_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    pthread_mutex_init(&st->lock, NULL);
    st->store_tail = &st->store_queue;
    atomic_init(&st->refs, 1);
    st->hs = hs;
    st->standalone = standalone;
    if (!s)
        return st;
    http_session *hsd = mcp__http_session_of(s, true);
    if (!hsd)
        return st;
    mcp__session_ref(s);
    st->session = s;
    st->resumable = true;
    /* With an external store the events live there (any instance can
     * replay them); otherwise in a bounded ring here. */
    mcp__event_log_init(&st->log, s->store ? 0 : hs->o.event_retention);
    unsigned store_no = 0;
    bool numbered = s->store && s->store->ops->stream_next(s->store, s->id, &store_no) == 0;
    pthread_mutex_lock(&hsd->lock);
    st->no = numbered ? store_no : ++hsd->next_stream_no;
    if (atomic_load(&s->closed)) {       /* closing: no replay list any more */
        pthread_mutex_unlock(&hsd->lock);
        return st;
    }
    mcp__stream_ref(st);                      /* the session's list holds one */
    st->session_next = hsd->streams;
    hsd->streams = st;
    hsd->nstreams++;
    /* Forget the oldest finished streams beyond the cap. */
    http_stream *prev = NULL, *dropped = NULL;
    unsigned idx = 0;
    for (http_stream *cur = hsd->streams; cur; prev = cur, cur = cur->session_next, idx++) {
        if (idx >= MAX_STREAMS_PER_SESSION && cur->finished && !cur->conn) {
            prev->session_next = cur->session_next;
            hsd->nstreams--;
            dropped = cur;
            break;
        }
    }
    pthread_mutex_unlock(&hsd->lock);
    if (dropped)
        mcp__stream_unref(dropped);
    return st;
}

void mcp__stream_ref(http_stream *st)
{
    atomic_fetch_add(&st->refs, 1);
}

void mcp__stream_unref(http_stream *st)
{
    if (!st || atomic_fetch_sub(&st->refs, 1) != 1)
        return;
    mcp__event_log_free(&st->log);
    mcp__strbuf_free(&st->out);
    for (store_event *ev = st->store_queue, *next; ev; ev = next) {
        next = ev->next;
        free(ev->frame);
        free(ev);
    }
    if (st->session)
        mcp__session_unref(st->session);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* Resume a parked connection so MHD calls the reader again. Lock held. */
static void wake_locked(http_stream *st)
{
    if (st->parked && st->conn) {
        st->parked = false;
        MHD_resume_connection(st->conn);
    }
}

static void push_frame_locked(http_stream *st, const char *data)
{
    strbuf frame = {0};
    if (st->resumable)
        mcp__strbuf_printf(&frame, "event: message\nid: %u_%" PRIu64 "\ndata: %s\n\n", st->no, ++st->seq, data);
    else
        mcp__strbuf_printf(&frame, "event: message\ndata: %s\n\n", data);
    if (!frame.data)
        return;
    if (st->conn)
        mcp__strbuf_append(&st->out, frame.data, frame.len);
    if (st->resumable && st->session->store) {
        /* Queued in seq order; written by store_flush with no lock held. */
        store_event *ev = malloc(sizeof *ev);
        if (ev) {
            *ev = (store_event){ .seq = st->seq, .len = frame.len, .frame = mcp__strbuf_take(&frame) };
            *st->store_tail = ev;
            st->store_tail = &ev->next;
        }
    } else if (st->resumable) {
        mcp__event_log_append(&st->log, st->seq, frame.data, frame.len);
    }
    mcp__strbuf_free(&frame);
    wake_locked(st);
}

/* Write queued events to the store in order, outside the stream's lock:
 * one thread flushes at a time (others leave their events to it), so the
 * store sees the events in seq order and nobody waits on the round trips
 * with the lock held. */
static void store_flush(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    if (st->flushing) {
        pthread_mutex_unlock(&st->lock);
        return;
    }
    st->flushing = true;
    while (st->store_queue) {
        store_event *ev = st->store_queue;
        st->store_queue = NULL;
        st->store_tail = &st->store_queue;
        pthread_mutex_unlock(&st->lock);
        while (ev) {
            store_event *next = ev->next;
            st->session->store->ops->event_append(st->session->store, st->session->id, st->no, ev->seq, ev->frame,
                                                  ev->len, st->hs->o.event_retention, st->session->ttl_ms);
            free(ev->frame);
            free(ev);
            ev = next;
        }
        pthread_mutex_lock(&st->lock);
    }
    st->flushing = false;
    pthread_mutex_unlock(&st->lock);
}

void mcp__stream_push_message(http_stream *st, cJSON *msg_take)
{
    char *text = mcp__jsonrpc_print(msg_take);
    cJSON_Delete(msg_take);
    if (!text)
        return;
    pthread_mutex_lock(&st->lock);
    if (!st->finished)
        push_frame_locked(st, text);
    bool queued = st->store_queue != NULL;
    pthread_mutex_unlock(&st->lock);
    free(text);
    if (queued)
        store_flush(st);
}

static void stream_push_comment(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    if (st->conn && !st->finished) {
        mcp__strbuf_puts(&st->out, ":\n\n");
        wake_locked(st);
    }
    pthread_mutex_unlock(&st->lock);
}

void mcp__stream_push_priming(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    if (st->resumable && st->conn)
        mcp__strbuf_printf(&st->out, "id: %u_%" PRIu64 "\nretry: %u\ndata: \n\n", st->no, st->seq, st->hs->o.retry_ms);
    pthread_mutex_unlock(&st->lock);
}

void mcp__stream_finish(http_stream *st, bool with_retry)
{
    pthread_mutex_lock(&st->lock);
    if (!st->finished) {
        st->finished = true;
        if (with_retry && st->conn)
            mcp__strbuf_printf(&st->out, "retry: %u\n\n", st->hs->o.retry_ms);
    }
    wake_locked(st);
    pthread_mutex_unlock(&st->lock);
}

static void live_add(http_stream *st)
{
    mcp_http_server *hs = st->hs;
    pthread_mutex_lock(&hs->live_lock);
    st->live_next = hs->live_streams;
    hs->live_streams = st;
    st->in_live = true;
    pthread_mutex_unlock(&hs->live_lock);
}

static void live_remove(http_stream *st)
{
    mcp_http_server *hs = st->hs;
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream **pp = &hs->live_streams; *pp; pp = &(*pp)->live_next) {
        if (*pp == st) {
            *pp = st->live_next;
            break;
        }
    }
    st->in_live = false;
    pthread_mutex_unlock(&hs->live_lock);
}

/* One MHD response draining a stream. A stream can be taken over by a
 * newer connection (a client resuming with Last-Event-ID before the server
 * noticed the old connection died): the old response then ends at once. */
typedef struct stream_sink {
    http_stream *st;
    struct MHD_Connection *conn;
} stream_sink;

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_sink *sink = cls;
    http_stream *st = sink->st;
    (void)pos;
    pthread_mutex_lock(&st->lock);
    if (st->conn != sink->conn) {           /* superseded */
        pthread_mutex_unlock(&st->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (st->out.len > 0) {
        size_t n = st->out.len < max ? st->out.len : max;
        memcpy(buf, st->out.data, n);
        mcp__strbuf_consume(&st->out, n);
        pthread_mutex_unlock(&st->lock);
        return (ssize_t)n;
    }
    if (st->finished) {
        pthread_mutex_unlock(&st->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    st->parked = true;
    MHD_suspend_connection(st->conn);
    pthread_mutex_unlock(&st->lock);
    return 0;
}

static void stream_reader_done(void *cls)
{
    stream_sink *sink = cls;
    http_stream *st = sink->st;
    pthread_mutex_lock(&st->lock);
    bool current = st->conn == sink->conn;
    if (current) {
        st->conn = NULL;
        st->parked = false;
        mcp__strbuf_free(&st->out);
    }
    pthread_mutex_unlock(&st->lock);
    free(sink);
    if (current && st->standalone && st->session) {
        http_session *hsd = mcp__http_session_of(st->session, false);
        if (hsd) {
            pthread_mutex_lock(&hsd->lock);
            if (hsd->standalone == st)
                hsd->standalone = NULL;
            pthread_mutex_unlock(&hsd->lock);
        }
    }
    if (current)
        live_remove(st);
    mcp__stream_unref(st);
}

enum MHD_Result mcp__stream_respond(http_stream *st, struct MHD_Connection *conn, unsigned status)
{
    stream_sink *sink = malloc(sizeof *sink);
    if (!sink)
        return MHD_NO;
    sink->st = st;
    sink->conn = conn;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
                                                               stream_reader, sink, stream_reader_done);
    if (!r) {
        free(sink);
        return MHD_NO;
    }
    pthread_mutex_lock(&st->lock);
    struct MHD_Connection *old = st->conn;
    bool was_live = old != NULL;
    if (old && st->parked)
        MHD_resume_connection(old);         /* let the superseded response end */
    if (old)
        mcp__strbuf_free(&st->out);              /* unsent bytes are in the log: the replay resends them */
    st->parked = false;
    st->conn = conn;
    pthread_mutex_unlock(&st->lock);
    mcp__stream_ref(st);                       /* the MHD response holds one */
    if (!was_live)
        live_add(st);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    if (st->session)
        MHD_add_response_header(r, "Mcp-Session-Id", st->session->id);
    enum MHD_Result ret = mcp__http_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Replay from the external store: the stream may have been served by
 * another instance. A live local stream is re-attached; otherwise the
 * client gets what is stored and the stream ends with a retry hint (it
 * polls again with its newest id until the answer has arrived). */
static http_stream *replay_from_store(mcp_http_server *hs, mcp_session *s, unsigned no, uint64_t seq, strbuf *replay)
{
    if (s->store->ops->event_replay(s->store, s->id, no, seq, replay) < 0)
        return NULL;
    http_session *hsd = mcp__http_session_of(s, false);
    http_stream *local = NULL;
    if (hsd) {
        pthread_mutex_lock(&hsd->lock);
        for (http_stream *st = hsd->streams; st && !local; st = st->session_next)
            if (st->no == no && !st->finished)
                mcp__stream_ref(local = st);
        pthread_mutex_unlock(&hsd->lock);
    }
    if (local)
        return local;
    http_stream *tmp = mcp__stream_new(hs, NULL, false);
    if (tmp) {
        tmp->finished = true;
        mcp__strbuf_printf(replay, "retry: %u\n\n", hs->o.retry_ms);
    }
    return tmp;
}

http_stream *mcp__stream_for_replay(mcp_http_server *hs, mcp_session *s, const char *last_event_id, strbuf *replay)
{
    unsigned no = 0;
    uint64_t seq = 0;
    int used = 0;
    if (sscanf(last_event_id, "%u_%" SCNu64 "%n", &no, &seq, &used) != 2 || last_event_id[used] != '\0')
        return NULL;     /* exactly "<stream>_<seq>", nothing after it */
    if (s->store)
        return replay_from_store(hs, s, no, seq, replay);
    http_session *hsd = mcp__http_session_of(s, false);
    if (!hsd)
        return NULL;
    http_stream *found = NULL;
    pthread_mutex_lock(&hsd->lock);
    for (http_stream *st = hsd->streams; st; st = st->session_next) {
        if (st->no == no) {
            found = st;
            mcp__stream_ref(found);
            break;
        }
    }
    pthread_mutex_unlock(&hsd->lock);
    if (!found)
        return NULL;
    pthread_mutex_lock(&found->lock);
    if (seq > found->seq) {
        /* An id this stream never issued. */
        pthread_mutex_unlock(&found->lock);
        mcp__stream_unref(found);
        return NULL;
    }
    mcp__event_log_replay_after(&found->log, seq, replay);
    pthread_mutex_unlock(&found->lock);
    return found;
}

bool mcp__stream_detach_if_peer_gone(http_stream *st)
{
    bool gone = false;
    pthread_mutex_lock(&st->lock);
    if (st->conn) {
        /* MHD does not watch suspended connections; peek at the socket:
         * EOF or an error means the client closed it. */
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(st->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        char b;
        ssize_t n = ci ? recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) : 1;
        gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
        if (gone) {
            if (st->parked)
                MHD_resume_connection(st->conn);   /* its reader now ends the response */
            st->parked = false;
            st->conn = NULL;
            mcp__strbuf_free(&st->out);
        }
    }
    pthread_mutex_unlock(&st->lock);
    if (gone)
        live_remove(st);
    return gone;
}

void mcp__live_streams_touch_sessions(mcp_http_server *hs)
{
    /* Collect under the lock, touch outside it: a store touch is a round trip. */
    mcp_session *batch[256];
    size_t n = 0;
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st && n < 256; st = st->live_next) {
        if (st->session) {
            mcp__session_ref(st->session);
            batch[n++] = st->session;
        }
    }
    for (http_stream *st = n == 256 ? hs->live_streams : NULL; st; st = st->live_next)
        if (st->session)
            atomic_store(&st->session->last_used_ms, mcp__now_ms());   /* beyond the batch: local only */
    pthread_mutex_unlock(&hs->live_lock);
    for (size_t i = 0; i < n; i++) {
        mcp__session_touch(batch[i]);
        mcp__session_unref(batch[i]);
    }
}

void mcp__live_streams_keepalive(mcp_http_server *hs)
{
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st; st = st->live_next)
        stream_push_comment(st);
    pthread_mutex_unlock(&hs->live_lock);
}

void mcp__live_streams_finish_all(mcp_http_server *hs)
{
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st; st = st->live_next)
        mcp__stream_finish(st, true);
    pthread_mutex_unlock(&hs->live_lock);
}
