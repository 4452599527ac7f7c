#ifndef TENANTWATCH_CNATS_SHIM_H
#define TENANTWATCH_CNATS_SHIM_H
/*
 * The NATS C client (Debian libnats-dev, 3.4) with JetStream, for the fleet transport.
 *
 * Swift can call the client directly, but its option structs carry C string arrays, function
 * pointers and nanosecond fields that are easy to get wrong from Swift; these few prefixed
 * helpers fill them in one place. Everything here is a thin wrapper: no policy beyond "create
 * if missing" and counting asynchronous publish failures.
 */
#include <nats/nats.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One connection and its JetStream context. `publish_failures` counts asynchronous publishes
 * the server refused or that timed out since the last `tw_nats_publish_wait`. */
typedef struct tw_nats_client {
    natsConnection *nc;
    jsCtx *js;
    int64_t publish_failures;
} tw_nats_client;

static void tw_nats_publish_error(jsCtx *js, jsPubAckErr *pae, void *closure) {
    (void)js; (void)pae;
    __atomic_add_fetch((int64_t *)closure, 1, __ATOMIC_SEQ_CST);
}

/* natsOptions_SetURL takes one URL; a cluster's list goes to SetServers. Spaces are trimmed. */
static inline natsStatus tw_nats_set_servers(natsOptions *opts, const char *urls) {
    char *copy = strdup(urls);
    if (copy == NULL) return NATS_NO_MEMORY;
    const char *servers[64];
    int count = 0;
    char *save = NULL;
    for (char *token = strtok_r(copy, ",", &save); token != NULL && count < 64; token = strtok_r(NULL, ",", &save)) {
        while (*token == ' ') token++;
        char *end = token + strlen(token);
        while (end > token && end[-1] == ' ') *--end = 0;
        if (*token != 0) servers[count++] = token;
    }
    natsStatus s = count > 0 ? natsOptions_SetServers(opts, servers, count) : NATS_INVALID_ARG;
    free(copy);
    return s;
}

/* `urls`: comma-separated server URLs (nats://127.0.0.1:4222,nats://...). Reconnects forever
 * (a cluster node restarting must not end a shipper), every 250 ms. */
static inline natsStatus tw_nats_open(tw_nats_client **out, const char *urls, const char *name,
                                      int64_t api_wait_ms, int64_t max_pending) {
    *out = NULL;
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = tw_nats_set_servers(opts, urls);
    if (s == NATS_OK && name != NULL) s = natsOptions_SetName(opts, name);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
    tw_nats_client *c = (tw_nats_client *)calloc(1, sizeof(tw_nats_client));
    if (c == NULL) s = NATS_NO_MEMORY;
    if (s == NATS_OK) s = natsConnection_Connect(&c->nc, opts);
    if (opts != NULL) natsOptions_Destroy(opts);
    if (s == NATS_OK) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = api_wait_ms;
        jo.PublishAsync.ErrHandler = tw_nats_publish_error;
        jo.PublishAsync.ErrHandlerClosure = &c->publish_failures;
        if (max_pending > 0) jo.PublishAsync.MaxPending = max_pending;
        s = natsConnection_JetStream(&c->js, c->nc, &jo);
    }
    if (s != NATS_OK) {
        if (c != NULL) {
            if (c->nc != NULL) natsConnection_Destroy(c->nc);
            free(c);
        }
        return s;
    }
    *out = c;
    return NATS_OK;
}

static inline void tw_nats_close(tw_nats_client *c) {
    if (c == NULL) return;
    if (c->js != NULL) jsCtx_Destroy(c->js);
    if (c->nc != NULL) {
        natsConnection_FlushTimeout(c->nc, 1000);
        natsConnection_Destroy(c->nc);
    }
    free(c);
}

/* Creates a file-backed stream over `subjects` (limits retention) with `replicas` copies and a
 * de-duplication window. An existing stream of that name is left as it is, whatever its
 * settings: a shipper started with other flags must not rescale the fleet's stream. */
static inline natsStatus tw_nats_ensure_stream(tw_nats_client *c, const char *name, const char **subjects,
                                               int subjects_count, int replicas, int64_t duplicate_window_ms,
                                               jsErrCode *err) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = subjects_count;
    cfg.Storage = js_FileStorage;
    cfg.Replicas = replicas;
    cfg.Duplicates = duplicate_window_ms * 1000000LL;
    jsStreamInfo *si = NULL;
    *err = 0;
    /* Asked of the stream's own leader first: a create request for an existing stream goes to
     * the metadata leader, which in nats-server 2.9 times out while one of the stream's peers
     * is down — a shipper restarted during a node outage would wait for the node. */
    natsStatus s = js_GetStreamInfo(&si, c->js, name, NULL, err);
    if (s == NATS_OK) {
        if (si != NULL) jsStreamInfo_Destroy(si);
        return NATS_OK;
    }
    if (*err != JSStreamNotFoundErr) return s;
    *err = 0;
    si = NULL;
    s = js_AddStream(&si, c->js, &cfg, NULL, err);
    if (s != NATS_OK && *err == JSStreamNameExistErr) {
        *err = 0;
        s = NATS_OK;
    }
    if (si != NULL) jsStreamInfo_Destroy(si);
    return s;
}

static inline natsStatus tw_nats_make_message(natsMsg **msg, const char *subject, const void *data, int length,
                                              const char **keys, const char **values, int count) {
    natsStatus s = natsMsg_Create(msg, subject, NULL, (const char *)data, length);
    for (int i = 0; s == NATS_OK && i < count; i++) s = natsMsgHeader_Set(*msg, keys[i], values[i]);
    if (s != NATS_OK && *msg != NULL) { natsMsg_Destroy(*msg); *msg = NULL; }
    return s;
}

/* Queues a publish; its acknowledgement is awaited by `tw_nats_publish_wait`. `msg_id`
 * (may be NULL) becomes the Nats-Msg-Id header the stream de-duplicates on. */
static inline natsStatus tw_nats_publish_async(tw_nats_client *c, const char *subject, const void *data, int length,
                                               const char *msg_id, const char **keys, const char **values, int count) {
    natsMsg *msg = NULL;
    natsStatus s = tw_nats_make_message(&msg, subject, data, length, keys, values, count);
    if (s != NATS_OK) return s;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id;
    s = js_PublishMsgAsync(c->js, &msg, &po);
    if (msg != NULL) natsMsg_Destroy(msg);  /* not taken over on failure */
    return s;
}

/* Waits until every queued publish is acknowledged or failed; `failures` gets how many failed
 * (and the count restarts). A timeout returns NATS_TIMEOUT. */
static inline natsStatus tw_nats_publish_wait(tw_nats_client *c, int64_t timeout_ms, int64_t *failures) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = timeout_ms;
    natsStatus s = js_PublishAsyncComplete(c->js, &po);
    *failures = __atomic_exchange_n(&c->publish_failures, 0, __ATOMIC_SEQ_CST);
    return s;
}

/* Publishes and waits for the acknowledgement: the stream sequence, and whether the stream
 * had already stored a message with this id. */
static inline natsStatus tw_nats_publish_sync(tw_nats_client *c, const char *subject, const void *data, int length,
                                              const char *msg_id, const char **keys, const char **values, int count,
                                              int64_t timeout_ms, uint64_t *sequence, bool *duplicate, jsErrCode *err) {
    natsMsg *msg = NULL;
    *err = 0;
    natsStatus s = tw_nats_make_message(&msg, subject, data, length, keys, values, count);
    if (s != NATS_OK) return s;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id;
    po.MaxWait = timeout_ms;
    jsPubAck *pa = NULL;
    s = js_PublishMsg(&pa, c->js, msg, &po, err);
    natsMsg_Destroy(msg);
    if (pa != NULL) {
        *sequence = pa->Sequence;
        *duplicate = pa->Duplicate;
        jsPubAck_Destroy(pa);
    }
    return s;
}

/* A durable pull consumer on `stream` for `filter` (NULL: every subject), explicit acks, created
 * when missing and bound to when present: a replacement worker resumes after the last ack. */
static inline natsStatus tw_nats_pull_subscribe(tw_nats_client *c, natsSubscription **sub, const char *stream,
                                                const char *filter, const char *durable, int64_t ack_wait_ms,
                                                int64_t max_ack_pending, int64_t max_deliver, jsErrCode *err) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Config.Durable = durable;
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.DeliverPolicy = js_DeliverAll;
    so.Config.AckWait = ack_wait_ms * 1000000LL;
    if (max_ack_pending > 0) so.Config.MaxAckPending = max_ack_pending;
    if (max_deliver > 0) so.Config.MaxDeliver = max_deliver;
    so.Config.FilterSubject = filter;
    *err = 0;
    return js_PullSubscribe(sub, c->js, filter != NULL ? filter : ">", durable, NULL, &so, err);
}

/* Up to `batch` messages, waiting at most `timeout_ms` for the first. NATS_TIMEOUT: none. */
static inline natsStatus tw_nats_fetch(natsSubscription *sub, natsMsgList *list, int batch, int64_t timeout_ms) {
    memset(list, 0, sizeof(*list));
    return natsSubscription_Fetch(list, sub, batch, timeout_ms, NULL);
}

/* Stream sequence and delivery count of a JetStream message (0 when it carries none). */
static inline natsStatus tw_nats_message_position(natsMsg *msg, uint64_t *stream_sequence, uint64_t *delivered) {
    jsMsgMetaData *meta = NULL;
    natsStatus s = natsMsg_GetMetaData(&meta, msg);
    *stream_sequence = 0;
    *delivered = 0;
    if (s == NATS_OK && meta != NULL) {
        *stream_sequence = meta->Sequence.Stream;
        *delivered = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
    }
    return s;
}

static inline natsStatus tw_nats_ack(natsMsg *msg, jsErrCode *err) {
    *err = 0;
    return natsMsg_AckSync(msg, NULL, err);
}

static inline natsStatus tw_nats_nak(natsMsg *msg, int64_t delay_ms) {
    return delay_ms > 0 ? natsMsg_NakWithDelay(msg, delay_ms, NULL) : natsMsg_Nak(msg, NULL);
}

/* Number of messages the stream holds (for tests and `worker` progress). */
static inline natsStatus tw_nats_stream_count(tw_nats_client *c, const char *stream, uint64_t *messages, jsErrCode *err) {
    jsStreamInfo *si = NULL;
    *err = 0;
    natsStatus s = js_GetStreamInfo(&si, c->js, stream, NULL, err);
    if (s == NATS_OK && si != NULL) {
        *messages = si->State.Msgs;
        jsStreamInfo_Destroy(si);
    }
    return s;
}
#endif
