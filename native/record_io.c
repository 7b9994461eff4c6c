/*
 * Zero-allocation record I/O for PacketPeerDTLS: sessionRecvInto and sessionSendInto.
 *
 * The batched forms in records.c hand every batch of records and every encrypted datagram
 * to JavaScript in a new ArrayBuffer: a malloc per record on the send side, and work for
 * V8's concurrent ArrayBuffer sweeper, which contends with the main thread for malloc's lock
 * (profile of the 1 KiB echo benchmark). Here nothing is allocated per record:
 * - received records are decrypted into the memory of the datagram that carried them. The
 *   caller owns those datagrams (PacketPeerUDP's queue hands each one out once), OpenSSL has
 *   copied a datagram into its own buffer before it decrypts anything from it, and a record's
 *   plaintext is shorter than the record, so the plaintexts fit back to back where the
 *   ciphertext was. A record that does not fit there (one OpenSSL buffered earlier, or the rest
 *   of a datagram from a previous call) goes to a spill area returned as one Uint8Array;
 * - an encrypted datagram is written straight into the caller's buffer at an offset.
 * Results are reported in an Int32Array the caller reuses.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

/* table[0] status (0, 1 = close_notify, -1 = fatal), [1] records, [2] datagrams consumed,
 * [3] datagrams waiting in the out queue (sessionDrain); then per record: where (index of
 * the datagram holding it, or -1 = the spill), offset, length. */
#define TABLE_HEAD 4
/* The spill is records.c's per-thread staging area (session.h); records are read into
 * gd_read_buf first. */
#define SPILL_BYTES GD_STAGE_BYTES

typedef struct {
  int32_t *t;
  size_t cap;   /* records the table holds */
  size_t n;     /* records written */
  size_t spilled; /* bytes used in `spill` */
} rec_table;

/* Reads the records the session can decrypt now. Each one goes to `dst` (the lent datagram,
 * `cap` bytes, `*used` taken) when the BIO has consumed that datagram and the record fits,
 * else to the spill. Returns 0 (nothing more for now), 1 (close_notify), -1 (fatal; see
 * sessionError) or 2 (the table or the spill is full: call again). */
static int read_into(gd_session *s, int32_t where, unsigned char *dst, size_t cap, size_t *used, rec_table *tab) {
  unsigned char *buf = gd_read_buf;
  unsigned char *sp = gd_stage;
  for (;;) {
    if (tab->n == tab->cap || SPILL_BYTES - tab->spilled < sizeof(gd_read_buf)) return 2;
    gd_err_reset();
    int r = SSL_read(s->ssl, buf, (int)sizeof(gd_read_buf));
    if (r > 0) {
      size_t len = (size_t)r;
      int32_t *e = tab->t + TABLE_HEAD + 3 * tab->n++;
      /* borrowed == NULL: OpenSSL has taken its copy of the lent datagram, so its memory is free. */
      if (dst != NULL && s->io->borrowed == NULL && cap - *used >= len) {
        memcpy(dst + *used, buf, len);
        e[0] = where;
        e[1] = (int32_t)*used;
        *used += len;
      } else {
        memcpy(sp + tab->spilled, buf, len);
        e[0] = -1;
        e[1] = (int32_t)tab->spilled;
        tab->spilled += len;
      }
      e[2] = (int32_t)len;
      if (dst != NULL && gd_read_exhausted(s)) return 0;
      continue;
    }
    return gd_read_failed(s, r);
  }
}

/* The writable bytes of a Uint8Array argument; 0 if it is not one. */
static int get_mutable_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  const unsigned char *d;
  if (!gd_get_bytes(env, v, &d, len)) return 0;
  *data = (unsigned char *)d; /* an ArrayBuffer's memory, lent for this call */
  return 1;
}

/* sessionRecvInto(s, datagrams, count, table): feeds datagrams[0 .. count) (count 0: only
 * reads what OpenSSL holds) and decrypts every record, in place where possible (see the top).
 * The datagrams' bytes are overwritten: the caller must own them. Stops at close_notify or a
 * fatal error, or when the table or the spill fills (table[2] < count: call again with the
 * rest). Returns the spill (a Uint8Array) when a record went there, else undefined. */
static napi_value session_recv_into(napi_env env, napi_callback_info info) {
  SESSION_ARGS(4);
  uint32_t count = 0;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &count));
  bool is_ta = false;
  napi_typedarray_type type;
  size_t tlen = 0, toff = 0;
  void *tdata = NULL;
  napi_value tab_ab;
  NAPI_CALL(env, napi_is_typedarray(env, argv[3], &is_ta));
  if (!is_ta) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Int32Array table expected");
  NAPI_CALL(env, napi_get_typedarray_info(env, argv[3], &type, &tlen, &tdata, &tab_ab, &toff));
  if (type != napi_int32_array || tdata == NULL || tlen < TABLE_HEAD + 3) {
    return gd_throw(env, "GDWIRE_DTLS_ARGS", "Int32Array table of at least 7 entries expected");
  }
  rec_table tab = {tdata, (tlen - TABLE_HEAD) / 3, 0, 0};
  size_t none = 0;
  int status = count == 0 ? read_into(s, -1, NULL, 0, &none, &tab) : 0;
  uint32_t k = 0;
  while (status == 0 && k < count) {
    napi_value d;
    unsigned char *data;
    size_t len;
    NAPI_CALL(env, napi_get_element(env, argv[1], k, &d));
    if (!get_mutable_bytes(env, d, &data, &len)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
    if (!gd_datagram_acceptable(s, data, len)) {
      k++;
      continue;
    }
    if (tab.n == tab.cap || SPILL_BYTES - tab.spilled < sizeof(gd_read_buf)) {
      status = 2; /* datagram k stays with the caller */
      break;
    }
    /* Lend the datagram to the BIO (no copy into the queue) unless older ones are queued. */
    int lent = s->io->in.count == 0;
    if (lent) {
      s->io->borrowed = data;
      s->io->borrowed_len = len;
    } else {
      gd_queue_push(&s->io->in, data, len);
    }
    k++;
    size_t used = 0;
    status = read_into(s, (int32_t)(k - 1), lent ? data : NULL, len, &used, &tab);
    if (lent && s->io->borrowed != NULL) {
      /* The table filled with older records before OpenSSL reached this datagram: it stays
       * with the caller, who passes it again (from table[2] on). */
      s->io->borrowed = NULL;
      k--;
    }
  }
  int32_t *t = tab.t;
  t[0] = status == 2 ? 0 : status;
  t[1] = (int32_t)tab.n;
  t[2] = (int32_t)k;
  t[3] = (int32_t)s->io->out.count;
  gd_err_reset();
  if (tab.spilled == 0) return NULL;
  void *copy = NULL;
  napi_value ab, view;
  NAPI_CALL(env, napi_create_arraybuffer(env, tab.spilled, &copy, &ab));
  memcpy(copy, gd_stage, tab.spilled);
  NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, tab.spilled, ab, 0, &view));
  return view;
}

/* sessionSendInto(s, data, out, offset): encrypts `data` as one record and writes the datagram
 * straight into out[offset …]. Returns its length; 0 = would block (nothing written); -1 =
 * fatal; -2 = the datagrams went to the out queue instead (no room in `out`, or more than one
 * datagram): send them with sessionDrain. */
static napi_value session_send_into(napi_env env, napi_callback_info info) {
  SESSION_ARGS(4);
  const unsigned char *d;
  unsigned char *out;
  size_t len, out_len;
  uint32_t offset = 0;
  if (!gd_get_bytes(env, argv[1], &d, &len) || !get_mutable_bytes(env, argv[2], &out, &out_len)) {
    return gd_throw(env, "GDWIRE_DTLS_ARGS", "Uint8Array expected");
  }
  NAPI_CALL(env, napi_get_value_uint32(env, argv[3], &offset));
  if (offset > out_len) return gd_throw(env, "GDWIRE_DTLS_ARGS", "offset beyond the buffer");
  if (len == 0) return gd_int(env, 0);
  gd_bio_state *io = s->io;
  io->direct = out_len > 0 ? out + offset : NULL;
  io->direct_cap = out_len - offset;
  io->direct_len = 0;
  gd_err_reset();
  int r = SSL_write(s->ssl, d, (int)len);
  size_t written = io->direct_len;
  io->direct = NULL;
  io->direct_cap = io->direct_len = 0;
  int result;
  if (r <= 0) {
    int e = SSL_get_error(s->ssl, r);
    result = 0;
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      gd_session_note_error(s, "write failed");
      result = -1;
    }
  } else if (io->out.count > 0) {
    /* Keep the order: the datagram written into `out` came first. */
    if (written > 0) gd_queue_push_front(&io->out, out + offset, written);
    result = -2;
  } else {
    result = (int)written;
  }
  gd_err_reset();
  return gd_int(env, result);
}

int gd_register_record_io(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sessionRecvInto", NULL, session_recv_into, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionSendInto", NULL, session_send_into, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
