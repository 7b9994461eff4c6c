/* Datagram-preserving memory BIO for the DTLS sessions. See dgram_bio.h. */
#include "dgram_bio.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int gd_queue_push(gd_queue *q, const unsigned char *data, size_t len) {
  if (q->count >= GD_QUEUE_MAX_COUNT || q->bytes + len > GD_QUEUE_MAX_BYTES) return 0;
  gd_dgram *d = malloc(sizeof(gd_dgram) + (len > 0 ? len : 1));
  if (d == NULL) return 0;
  d->next = NULL;
  d->len = len;
  if (len > 0) memcpy(d->data, data, len);
  if (q->tail) q->tail->next = d;
  else q->head = d;
  q->tail = d;
  q->count++;
  q->bytes += len;
  return 1;
}

int gd_queue_push_front(gd_queue *q, const unsigned char *data, size_t len) {
  gd_dgram *tail = q->tail;
  if (!gd_queue_push(q, data, len)) return 0;
  if (tail == NULL) return 1; /* it was empty: the new one is both head and tail */
  gd_dgram *d = q->tail;
  tail->next = NULL;
  q->tail = tail;
  d->next = q->head;
  q->head = d;
  return 1;
}

gd_dgram *gd_queue_pop(gd_queue *q) {
  gd_dgram *d = q->head;
  if (d == NULL) return NULL;
  q->head = d->next;
  if (q->head == NULL) q->tail = NULL;
  q->count--;
  q->bytes -= d->len;
  d->next = NULL;
  return d;
}

void gd_queue_clear(gd_queue *q) {
  gd_dgram *d;
  while ((d = gd_queue_pop(q)) != NULL) free(d);
}

static int bio_create(BIO *b) {
  gd_bio_state *s = calloc(1, sizeof(gd_bio_state));
  if (s == NULL) return 0;
  BIO_set_data(b, s);
  BIO_set_init(b, 1);
  return 1;
}

static int bio_destroy(BIO *b) {
  if (b == NULL) return 0;
  gd_bio_state *s = BIO_get_data(b);
  if (s != NULL) {
    gd_queue_clear(&s->in);
    gd_queue_clear(&s->out);
    free(s);
  }
  BIO_set_data(b, NULL);
  BIO_set_init(b, 0);
  return 1;
}

/* One write = one datagram. A full queue drops it, as a full socket buffer would. */
static int bio_write(BIO *b, const char *buf, int len) {
  gd_bio_state *s = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (s == NULL || buf == NULL || len < 0) return -1;
  if (s->direct != NULL && s->direct_len == 0 && s->out.count == 0 && len > 0 && (size_t)len <= s->direct_cap) {
    memcpy(s->direct, buf, (size_t)len);
    s->direct_len = (size_t)len;
    return len;
  }
  gd_capture *c = s->capture;
  if (c != NULL && s->out.count == 0 && c->count < GD_CAPTURE_MAX && c->used + (size_t)len <= GD_CAPTURE_BYTES) {
    memcpy(c->data + c->used, buf, (size_t)len);
    c->offset[c->count] = c->used;
    c->len[c->count++] = (size_t)len;
    c->used += (size_t)len;
    return len;
  }
  gd_queue_push(&s->out, (const unsigned char *)buf, (size_t)len);
  return len;
}

/* One read = one datagram; a datagram longer than the buffer is truncated (its tail lost). */
static int bio_read(BIO *b, char *buf, int len) {
  gd_bio_state *s = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (s == NULL || buf == NULL || len < 0) return -1;
  if (s->borrowed != NULL) {
    size_t n = s->borrowed_len < (size_t)len ? s->borrowed_len : (size_t)len;
    memcpy(buf, s->borrowed, n);
    if (!s->peek) s->borrowed = NULL;
    return (int)n;
  }
  gd_dgram *d = s->in.head;
  if (d == NULL) {
    BIO_set_retry_read(b);
    return -1;
  }
  size_t n = d->len < (size_t)len ? d->len : (size_t)len;
  memcpy(buf, d->data, n);
  if (!s->peek) free(gd_queue_pop(&s->in));
  return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  gd_bio_state *s = BIO_get_data(b);
  (void)ptr;
  if (s == NULL) return 0;
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return s->borrowed ? (long)s->borrowed_len : s->in.head ? (long)s->in.head->len : 0;
    case BIO_CTRL_WPENDING:
      return 0; /* written datagrams count as sent */
    case BIO_CTRL_DGRAM_SET_PEEK_MODE:
      s->peek = num != 0;
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return s->mtu;
    case BIO_CTRL_DGRAM_SET_MTU:
      s->mtu = num;
      return num;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0; /* the MTU given is already the UDP payload size */
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_SET_CONNECTED:
    case BIO_CTRL_DGRAM_SET_PEER:
      return 1;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    case BIO_CTRL_DGRAM_GET_PEER:
    case BIO_CTRL_DGRAM_GET_RECV_TIMER_EXP:
    case BIO_CTRL_DGRAM_GET_SEND_TIMER_EXP:
      return 0;
    case BIO_CTRL_GET_CLOSE:
      return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE:
      BIO_set_shutdown(b, (int)num);
      return 1;
    default:
      return 0;
  }
}

/* One BIO_METHOD for the process, made once (worker threads may load the addon concurrently). */
static BIO_METHOD *method = NULL;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

static void make_method(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gdwire datagram");
  if (m == NULL) return;
  if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
      !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create) ||
      !BIO_meth_set_destroy(m, bio_destroy)) {
    BIO_meth_free(m);
    return;
  }
  method = m;
}

static BIO_METHOD *gd_bio_method(void) {
  pthread_once(&method_once, make_method);
  return method;
}

BIO *gd_bio_new(long mtu) {
  BIO_METHOD *m = gd_bio_method();
  if (m == NULL) return NULL;
  BIO *b = BIO_new(m);
  if (b == NULL) return NULL;
  gd_bio_get_state(b)->mtu = mtu;
  return b;
}

gd_bio_state *gd_bio_get_state(BIO *b) {
  return BIO_get_data(b);
}
