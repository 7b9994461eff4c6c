/*
 * Application data of an established session: datagrams in (sessionFeed, sessionRecv),
 * records out (sessionRead, sessionRecv), records in (sessionWrite, sessionSend), datagrams
 * out (sessionDrain). sessionRecv/sessionSend are the batched forms DTLS over ENet uses;
 * PacketPeerDTLS uses the allocation-free forms of record_io.c.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* ---- the record guard -----------------------------------------------------------------
 * OpenSSL 3.0's DTLS drops most bad records silently, as RFC 6347 §4.1.2.7 asks, but not all:
 * an encrypted record shorter than the cipher's explicit IV + tag (AEAD), or shorter than
 * IV + MAC + padding (CBC), ends the session with a fatal error. Anyone who can spoof the
 * peer's address could then kill a session with one tiny datagram. So datagrams holding such
 * a record are dropped here, before OpenSSL sees them. (CBC with encrypt-then-MAC is fatal
 * on any bad MAC; context.c turns encrypt-then-MAC off so CBC failures are silent too.) */

#define DTLS_HEADER 13

/* Shortest valid encrypted record under `c`; 16 (the smallest of any suite) if unknown. */
static size_t min_encrypted(const SSL_CIPHER *c) {
  if (c == NULL) return 16;
  int nid = SSL_CIPHER_get_cipher_nid(c);
  if (SSL_CIPHER_is_aead(c)) {
    if (nid == NID_chacha20_poly1305) return 16;          /* tag only */
    if (strstr(SSL_CIPHER_get_name(c), "CCM8") != NULL) return 8 + 8;
    return 8 + 16;                                         /* explicit nonce + tag */
  }
  const EVP_CIPHER *cipher = EVP_get_cipherbynid(nid);
  const EVP_MD *md = EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(c));
  int bs = cipher ? EVP_CIPHER_get_block_size(cipher) : 16;
  int mac = md ? EVP_MD_get_size(md) : 20;
  if (bs <= 1) return (size_t)mac;
  return (size_t)bs + (size_t)(((mac + 1 + bs - 1) / bs) * bs); /* IV + MAC and padding */
}

/* Whether every encrypted record in `d` is long enough to be handed to OpenSSL. */
int gd_read_failed(gd_session *s, int r) {
  int e = SSL_get_error(s->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
  if (e == SSL_ERROR_ZERO_RETURN) return 1;
  char why[64];
  snprintf(why, sizeof(why), "read failed (SSL_get_error %d)", e);
  gd_session_note_error(s, why);
  return -1;
}

int gd_datagram_acceptable(gd_session *s, const unsigned char *d, size_t len) {
  const SSL_CIPHER *c = SSL_get_current_cipher(s->ssl);
  if (c == NULL) c = SSL_get_pending_cipher(s->ssl);
  /* SSL_CIPHER objects are OpenSSL's static table entries: the pointer identifies the suite. */
  if (!s->guard_ready || c != s->guard_cipher) {
    s->guard_cipher = c;
    s->guard_min = min_encrypted(c);
    s->guard_ready = 1;
  }
  size_t min = s->guard_min;
  for (size_t off = 0; off + DTLS_HEADER <= len;) {
    unsigned epoch = ((unsigned)d[off + 3] << 8) | d[off + 4];
    size_t rlen = ((size_t)d[off + 11] << 8) | d[off + 12];
    if (epoch != 0 && rlen > 0 && rlen < min) return 0;
    off += DTLS_HEADER + rlen;
  }
  return 1;
}

/* sessionFeed(s, datagram): queues one received datagram; false when the queue is full or
 * the record guard dropped it. */
static napi_value session_feed(napi_env env, napi_callback_info info) {
  SESSION_ARGS(2);
  const unsigned char *d;
  size_t len;
  if (!gd_get_bytes(env, argv[1], &d, &len)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
  if (!gd_datagram_acceptable(s, d, len)) return gd_bool(env, 0);
  return gd_bool(env, gd_queue_push(&s->io->in, d, len));
}

/* Scratch buffers are per thread: each worker thread runs its own JavaScript environment.
 * record_io.c uses them too (no call into the addon runs inside another). */
_Thread_local unsigned char gd_read_buf[GD_READ_BUF_BYTES];

/* sessionRead(s): one decrypted record, or 0 = nothing, 1 = close_notify, -1 = fatal. */
static napi_value session_read(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  gd_err_reset();
  int r = SSL_read(s->ssl, gd_read_buf, sizeof(gd_read_buf));
  napi_value out;
  if (r > 0) {
    out = gd_bytes(env, gd_read_buf, (size_t)r);
  } else {
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) out = gd_int(env, 0);
    else if (e == SSL_ERROR_ZERO_RETURN) out = gd_int(env, 1);
    else {
      gd_session_note_error(s, "read failed");
      out = gd_int(env, -1);
    }
  }
  gd_err_reset();
  return out;
}

/* sessionWrite(s, data): bytes written, 0 = would block, -1 = fatal. */
static napi_value session_write(napi_env env, napi_callback_info info) {
  SESSION_ARGS(2);
  const unsigned char *d;
  size_t len;
  if (!gd_get_bytes(env, argv[1], &d, &len)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
  if (len == 0) return gd_int(env, 0);
  gd_err_reset();
  int r = SSL_write(s->ssl, d, (int)len);
  int out = r;
  if (r <= 0) {
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) out = 0;
    else {
      gd_session_note_error(s, "write failed");
      out = -1;
    }
  }
  gd_err_reset();
  return gd_int(env, out);
}

/* ---- batched record I/O ---------------------------------------------------------------
 * Decrypted records are gathered in one staging area and handed to JavaScript as views
 * (Uint8Array) over a single ArrayBuffer per batch: one allocation per batch instead of one
 * per record keeps malloc (and V8's concurrent ArrayBuffer sweeping) off the hot path. */

#define STAGE_BYTES GD_STAGE_BYTES
#define STAGE_MAX 512
_Thread_local unsigned char gd_stage[GD_STAGE_BYTES];
static _Thread_local size_t stage_used, stage_count;
static _Thread_local size_t stage_off[STAGE_MAX], stage_len[STAGE_MAX];

/* Appends the staged records to `arr` as views over one new ArrayBuffer; 0 on N-API failure. */
static int stage_flush(napi_env env, napi_value arr, uint32_t *i) {
  if (stage_count == 0) return 1;
  void *data = NULL;
  napi_value ab;
  int ok = napi_create_arraybuffer(env, stage_used, &data, &ab) == napi_ok;
  if (ok) memcpy(data, gd_stage, stage_used);
  for (size_t k = 0; ok && k < stage_count; k++) {
    napi_value view;
    ok = napi_create_typedarray(env, napi_uint8_array, stage_len[k], ab, stage_off[k], &view) == napi_ok &&
         napi_set_element(env, arr, (*i)++, view) == napi_ok;
  }
  stage_used = stage_count = 0;
  return ok;
}

/* Reads every record the session can decrypt now into the staging area (flushing into `arr`
 * when it fills); `fed`: a datagram was just lent (see gd_read_exhausted). Returns 0 (would block), 1 (close_notify), -1 (fatal; see sessionError) or
 * -2 (N-API failure). */
static int read_all(napi_env env, gd_session *s, napi_value arr, uint32_t *i, int fed) {
  for (;;) {
    if (STAGE_BYTES - stage_used < MAX_RECORD_PLAINTEXT + 1024 || stage_count == STAGE_MAX) {
      if (!stage_flush(env, arr, i)) return -2;
    }
    gd_err_reset();
    int r = SSL_read(s->ssl, gd_stage + stage_used, (int)(STAGE_BYTES - stage_used));
    if (r > 0) {
      stage_off[stage_count] = stage_used;
      stage_len[stage_count++] = (size_t)r;
      stage_used += (size_t)r;
      if (fed && gd_read_exhausted(s)) return 0;
      continue;
    }
    return gd_read_failed(s, r);
  }
}

/* Ends a sessionRecv batch: staged records, then the status number if any. */
static napi_value recv_finish(napi_env env, napi_value arr, uint32_t *i, int status) {
  if (!stage_flush(env, arr, i)) {
    gd_throw_last(env);
    return NULL;
  }
  if (status == 1 || status == -1) NAPI_CALL(env, napi_set_element(env, arr, (*i)++, gd_int(env, status)));
  gd_err_reset();
  return arr;
}

/* sessionRecv(s, datagrams[]): feeds the datagrams (none: just reads) and reads every record.
 * Returns the records (oldest first); a final number 1 (close_notify) or -1 (fatal) ends the
 * array when that happened. One call per batch instead of feed + read per datagram. */
static napi_value session_recv(napi_env env, napi_callback_info info) {
  SESSION_ARGS(2);
  uint32_t n = 0, i = 0;
  napi_value arr;
  NAPI_CALL(env, napi_get_array_length(env, argv[1], &n));
  NAPI_CALL(env, napi_create_array(env, &arr));
  stage_used = stage_count = 0;
  if (n == 0) return recv_finish(env, arr, &i, read_all(env, s, arr, &i, 0));
  for (uint32_t k = 0; k < n; k++) {
    napi_value d;
    const unsigned char *data;
    size_t len;
    NAPI_CALL(env, napi_get_element(env, argv[1], k, &d));
    if (!gd_get_bytes(env, d, &data, &len)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
    if (!gd_datagram_acceptable(s, data, len)) continue;
    /* Lend the datagram to the BIO (no copy into the queue) unless older ones are queued. */
    if (s->io->in.count == 0) {
      s->io->borrowed = data;
      s->io->borrowed_len = len;
    } else {
      gd_queue_push(&s->io->in, data, len);
    }
    int r = read_all(env, s, arr, &i, 1);
    s->io->borrowed = NULL; /* SSL_read only stops once the BIO is empty: it was consumed */
    if (r == -2) {
      gd_throw_last(env);
      return NULL;
    }
    if (r != 0) return recv_finish(env, arr, &i, r);
  }
  return recv_finish(env, arr, &i, 0);
}

static _Thread_local gd_capture capture;

/* sessionSend(s, data): encrypts one record and returns the datagram to send (a Uint8Array;
 * an array of them in the rare case of several), or 0 = would block, -1 = fatal. */
static napi_value session_send(napi_env env, napi_callback_info info) {
  SESSION_ARGS(2);
  const unsigned char *d;
  size_t len;
  if (!gd_get_bytes(env, argv[1], &d, &len)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
  capture.used = capture.count = 0;
  s->io->capture = &capture;
  gd_err_reset();
  int r = len > 0 ? SSL_write(s->ssl, d, (int)len) : 1;
  s->io->capture = NULL;
  if (r <= 0) {
    int e = SSL_get_error(s->ssl, r);
    int out = 0;
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      gd_session_note_error(s, "write failed");
      out = -1;
    }
    gd_err_reset();
    return gd_int(env, out);
  }
  size_t total = capture.count + s->io->out.count;
  void *data = NULL;
  napi_value ab, view;
  NAPI_CALL(env, napi_create_arraybuffer(env, capture.used, &data, &ab));
  if (capture.used > 0) memcpy(data, capture.data, capture.used);
  if (total == 1 && capture.count == 1) {
    NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, capture.len[0], ab, 0, &view));
    return view;
  }
  napi_value arr;
  uint32_t i = 0;
  NAPI_CALL(env, napi_create_array_with_length(env, total, &arr));
  for (size_t k = 0; k < capture.count; k++) {
    NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, capture.len[k], ab, capture.offset[k], &view));
    NAPI_CALL(env, napi_set_element(env, arr, i++, view));
  }
  gd_dgram *g;
  while ((g = gd_queue_pop(&s->io->out)) != NULL) {
    napi_value b = gd_bytes(env, g->data, g->len);
    free(g);
    if (b == NULL || napi_set_element(env, arr, i++, b) != napi_ok) {
      gd_throw_last(env);
      return NULL;
    }
  }
  return arr;
}

/* sessionPending(s): how many written datagrams wait for sessionDrain. */
static napi_value session_pending(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  return gd_int(env, (int)s->io->out.count);
}

/* sessionDrain(s): the datagrams OpenSSL wrote since the last drain, oldest first. */
static napi_value session_drain(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  napi_value arr;
  NAPI_CALL(env, napi_create_array_with_length(env, s->io->out.count, &arr));
  uint32_t i = 0;
  gd_dgram *d;
  while ((d = gd_queue_pop(&s->io->out)) != NULL) {
    napi_value b = gd_bytes(env, d->data, d->len);
    free(d);
    if (b == NULL || napi_set_element(env, arr, i++, b) != napi_ok) {
      gd_throw_last(env);
      return NULL;
    }
  }
  return arr;
}

int gd_register_records(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sessionFeed", NULL, session_feed, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionRead", NULL, session_read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionWrite", NULL, session_write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionRecv", NULL, session_recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionSend", NULL, session_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionPending", NULL, session_pending, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionDrain", NULL, session_drain, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
