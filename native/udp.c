/*
 * Batched UDP sockets for the ENet hosts (src/platform/batched-socket.ts), Linux only.
 *
 * Why: node:dgram costs ≈6–7 µs per datagram sent and one JS callback (with a Buffer and an
 * rinfo object) per datagram received; that alone capped an ENet on Node at ≈0.6 of C ENet.
 * Here one recvmmsg(2) reads up to GD_UDP_BATCH datagrams per readable event and hands them
 * to JS in one call, compacted into one fresh ArrayBuffer (fresh, because ENet keeps views of
 * received datagrams: their bytes must never change); one sendmmsg(2) sends every datagram JS
 * staged in a shared arena. The protocol stays in TypeScript: this file only moves datagrams.
 *
 * JS shares three typed arrays at creation: rx_meta and tx_meta hold GD_UDP_META int32 per
 * datagram — [offset, length, port, family (4, 6, or 0 = the connected peer), w0, w1, w2, w3]
 * where an IPv4 address is w0 (host order) and an IPv6 one w0..w3 (big-endian words) — and
 * tx_data holds the staged datagrams. The event callback is cb(kind, n, buffer):
 * kind 0 = n datagrams in buffer, 1 = writable again, 2 = receive error (n = -errno).
 */
#ifdef __linux__
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif
#include "napi_util.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define GD_UDP_BATCH 64
#define GD_UDP_META 8
/* Any UDP payload fits a slot, so nothing is ever truncated. Pages are touched only as used. */
#define GD_UDP_SLOT 65536
/* Batches read per readable event before yielding to the event loop. */
#define GD_UDP_READS 4
/*
 * UDP generic segmentation offload (Linux ≥ 4.18): consecutive datagrams to one destination,
 * all of one size but a shorter last one, leave as one message the kernel cuts into those
 * datagrams after one trip through the stack (on the wire nothing changes: same datagrams).
 * Profile: the kernel's per-datagram send path was over half of a bulk sender's CPU.
 */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
/*
 * UDP generic receive offload (Linux ≥ 5.0), the other half: a socket with UDP_GRO set takes
 * such a run (from a GSO sender on this machine, or coalesced by a NIC) as one message with
 * its segment size in a control message, and this file cuts it back into its datagrams. One
 * trip through the receive path instead of one per datagram, and for loopback senders no
 * kernel segmentation at all (profile: the sender's sendmmsg paid for cutting and queueing
 * every datagram at the receiver).
 */
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
/* Most segments in one received message (the kernel's UDP_MAX_SEGMENTS is at most 128). */
#define GD_UDP_GRO_SEGMENTS 128
/* Datagrams handed to JS in one call: every message of a batch, each possibly coalesced. */
#define GD_UDP_RX_MAX (GD_UDP_BATCH * GD_UDP_GRO_SEGMENTS)
#define GD_UDP_GSO_SEGMENTS 64
#define GD_UDP_GSO_BYTES 60000
#define GD_UDP_TX_IOV 512
/* ENet's own socket buffer sizes (ENET_HOST_{RECEIVE,SEND}_BUFFER_SIZE), capped by the kernel. */
#define GD_UDP_BUFFER (256 * 1024)

typedef struct {
  int fd;
  int family;
  int polling;      /* poll handle initialised (uv_close needed) */
  int closed;       /* udpClose ran */
  int finalized;    /* the JS handle was collected */
  int handle_gone;  /* uv_close completed (or never needed) */
  int want_write;
  int pulled;       /* pull mode (udpSetPull): no readable watch, datagrams read by udpRead */
  int in_read;      /* inside udpRead: callbacks are plain calls from JS */
  int js_threw;     /* a callback threw during udpRead: stop, the exception stays pending */
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref rx_ref, tx_meta_ref, tx_data_ref;
  napi_async_context actx;
  int32_t *rx_meta;
  int32_t *tx_meta;
  size_t tx_meta_len;
  unsigned char *tx_data;
  size_t tx_data_len;
  unsigned char *rx_buf;
  struct mmsghdr rx_msgs[GD_UDP_BATCH];
  struct iovec rx_iov[GD_UDP_BATCH];
  struct sockaddr_storage rx_addr[GD_UDP_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } rx_ctrl[GD_UDP_BATCH];
  int gso_off;      /* UDP_SEGMENT refused once: plain datagrams from then on */
  double sent_messages, sent_datagrams; /* udpStats: how well sends were grouped */
  double recv_messages, recv_datagrams; /* … and receives coalesced */
  int gro_on;       /* the kernel accepted UDP_GRO */
  struct mmsghdr tx_msgs[GD_UDP_BATCH];
  int tx_count[GD_UDP_BATCH]; /* datagrams in each message (> 1: one GSO message) */
  struct iovec tx_iov[GD_UDP_TX_IOV];
  struct sockaddr_storage tx_addr[GD_UDP_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } tx_ctrl[GD_UDP_BATCH];
} gd_udp;

static void udp_maybe_free(gd_udp *u) {
  if (u->finalized && u->handle_gone) {
    free(u->rx_buf);
    free(u);
  }
}

static void udp_on_closed(uv_handle_t *h) {
  gd_udp *u = h->data;
  if (u->fd >= 0) close(u->fd);
  u->fd = -1;
  u->handle_gone = 1;
  udp_maybe_free(u);
}

/* Stops polling and releases the fd (through uv_close when a poll handle exists). */
static void udp_shutdown(gd_udp *u) {
  if (u->polling) {
    u->polling = 0;
    uv_poll_stop(&u->poll);
    uv_close((uv_handle_t *)&u->poll, udp_on_closed);
  } else if (!u->handle_gone) {
    if (u->fd >= 0) close(u->fd);
    u->fd = -1;
    u->handle_gone = 1;
  }
}

static void udp_env_cleanup(void *arg) {
  gd_udp *u = arg;
  u->closed = 1;
  udp_shutdown(u);
}

static void udp_finalize(napi_env env, void *data, void *hint) {
  gd_udp *u = data;
  if (!u->closed) {
    u->closed = 1;
    napi_remove_env_cleanup_hook(env, udp_env_cleanup, u);
    udp_shutdown(u);
  }
  u->finalized = 1;
  udp_maybe_free(u);
}

static gd_udp *udp_arg(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    gd_throw(env, "GDWIRE_UDP", "not a UDP handle");
    return NULL;
  }
  return data;
}

/* The arguments of a udp* call: argv[0] must be a handle (else NULL, with an exception). */
static gd_udp *udp_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    gd_throw_last(env);
    return NULL;
  }
  if (argc < n) {
    gd_throw(env, "GDWIRE_UDP", "missing arguments");
    return NULL;
  }
  return udp_arg(env, argv[0]);
}

static int typed_i32(napi_env env, napi_value v, int32_t **ptr, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  void *p;
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &offset) != napi_ok || type != napi_int32_array) return 0;
  *ptr = p;
  return 1;
}

/* ---- addresses --------------------------------------------------------------------------- */

/* Writes the sender of a datagram as [port, family, w0..w3]; IPv4-mapped IPv6 reads as IPv4. */
static void meta_from_sockaddr(const struct sockaddr_storage *sa, int32_t *m) {
  memset(m, 0, 6 * sizeof(int32_t));
  if (sa->ss_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    m[0] = ntohs(s4->sin_port);
    m[1] = 4;
    m[2] = (int32_t)ntohl(s4->sin_addr.s_addr);
  } else if (sa->ss_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    const unsigned char *b = s6->sin6_addr.s6_addr;
    m[0] = ntohs(s6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      m[1] = 4;
      m[2] = (int32_t)(((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15]);
    } else {
      m[1] = 6;
      for (int i = 0; i < 4; i++) {
        m[2 + i] = (int32_t)(((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16) |
                             ((uint32_t)b[4 * i + 2] << 8) | b[4 * i + 3]);
      }
    }
  }
}

/* The destination [port, family, w0..w3] for a socket of u->family; 0 when it has none. */
static socklen_t sockaddr_from_meta(const gd_udp *u, const int32_t *m, struct sockaddr_storage *sa) {
  memset(sa, 0, sizeof(*sa));
  uint16_t port = htons((uint16_t)m[0]);
  if (m[1] == 0) return 0;
  if (u->family == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
    s4->sin_family = AF_INET;
    s4->sin_port = port;
    s4->sin_addr.s_addr = htonl((uint32_t)m[2]);
    return sizeof(*s4);
  }
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
  unsigned char *b = s6->sin6_addr.s6_addr;
  s6->sin6_family = AF_INET6;
  s6->sin6_port = port;
  if (m[1] == 4) {
    b[10] = 0xff;
    b[11] = 0xff;
    uint32_t v = (uint32_t)m[2];
    b[12] = v >> 24; b[13] = v >> 16; b[14] = v >> 8; b[15] = v;
  } else {
    for (int i = 0; i < 4; i++) {
      uint32_t v = (uint32_t)m[2 + i];
      b[4 * i] = v >> 24; b[4 * i + 1] = v >> 16; b[4 * i + 2] = v >> 8; b[4 * i + 3] = v;
    }
  }
  return sizeof(*s6);
}

/* Parses `ip` (NULL: the wildcard) for this socket's family; 0 when it is not a literal. */
static socklen_t sockaddr_from_text(const gd_udp *u, const char *ip, int port, struct sockaddr_storage *sa) {
  memset(sa, 0, sizeof(*sa));
  if (u->family == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (ip != NULL && inet_pton(AF_INET, ip, &s4->sin_addr) != 1) return 0;
    return sizeof(*s4);
  }
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
  s6->sin6_family = AF_INET6;
  s6->sin6_port = htons((uint16_t)port);
  if (ip == NULL) return sizeof(*s6);
  if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) return sizeof(*s6);
  struct in_addr v4;
  if (inet_pton(AF_INET, ip, &v4) != 1) return 0;
  s6->sin6_addr.s6_addr[10] = 0xff;
  s6->sin6_addr.s6_addr[11] = 0xff;
  memcpy(&s6->sin6_addr.s6_addr[12], &v4, 4);
  return sizeof(*s6);
}

/* ---- receiving --------------------------------------------------------------------------- */

static void udp_call(gd_udp *u, int kind, int n, napi_value buffer) {
  napi_env env = u->env;
  napi_value cb, recv, argv[3], result;
  if (u->closed || napi_get_reference_value(env, u->callback, &cb) != napi_ok || cb == NULL) return;
  napi_value undef;
  napi_get_undefined(env, &undef);
  /* napi_make_callback converts its receiver to an object: undefined would throw. */
  napi_get_global(env, &recv);
  napi_create_int32(env, kind, &argv[0]);
  napi_create_int32(env, n, &argv[1]);
  argv[2] = buffer != NULL ? buffer : undef;
  if (u->in_read) {
    /* Called from JS (udpRead): an exception propagates to that caller. */
    if (napi_call_function(env, recv, cb, 3, argv, &result) != napi_ok) u->js_threw = 1;
    return;
  }
  if (napi_make_callback(env, u->actx, recv, cb, 3, argv, &result) == napi_pending_exception) {
    napi_value err;
    /* An exception from a handler is uncaught, as it would be from a dgram 'message' listener. */
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
}

/* The segment size of a message the kernel coalesced (UDP_GRO control message), else 0. */
static size_t gro_segment_size(struct msghdr *h) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int size = 0;
      memcpy(&size, CMSG_DATA(c), sizeof(size));
      return size > 0 ? (size_t)size : 0;
    }
  }
  return 0;
}

/* One recvmmsg: returns the datagrams read (0: none waiting), or -1 after reporting an error. */
static int udp_read_batch(gd_udp *u) {
  for (int i = 0; i < GD_UDP_BATCH; i++) {
    u->rx_iov[i].iov_base = u->rx_buf + (size_t)i * GD_UDP_SLOT;
    u->rx_iov[i].iov_len = GD_UDP_SLOT;
    struct msghdr *h = &u->rx_msgs[i].msg_hdr;
    memset(h, 0, sizeof(*h));
    h->msg_name = &u->rx_addr[i];
    h->msg_namelen = sizeof(u->rx_addr[i]);
    h->msg_iov = &u->rx_iov[i];
    h->msg_iovlen = 1;
    h->msg_control = u->rx_ctrl[i].buf;
    h->msg_controllen = sizeof(u->rx_ctrl[i].buf);
  }
  int n;
  do {
    n = recvmmsg(u->fd, u->rx_msgs, GD_UDP_BATCH, MSG_DONTWAIT, NULL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    int err = errno;
    napi_handle_scope scope;
    if (napi_open_handle_scope(u->env, &scope) != napi_ok) return -1;
    udp_call(u, 2, -err, NULL);
    napi_close_handle_scope(u->env, scope);
    return -1;
  }
  if (n == 0) return 0;
  size_t total = 0;
  for (int i = 0; i < n; i++) total += u->rx_msgs[i].msg_len;
  napi_handle_scope scope;
  if (napi_open_handle_scope(u->env, &scope) != napi_ok) return -1;
  void *data = NULL;
  napi_value ab;
  /* At least one byte: a batch of empty datagrams still needs a buffer to view. */
  if (napi_create_arraybuffer(u->env, total > 0 ? total : 1, &data, &ab) != napi_ok) {
    napi_close_handle_scope(u->env, scope);
    return -1;
  }
  size_t off = 0;
  int k = 0; /* datagrams described in rx_meta */
  for (int i = 0; i < n; i++) {
    size_t len = u->rx_msgs[i].msg_len;
    size_t seg = gro_segment_size(&u->rx_msgs[i].msg_hdr);
    if (seg == 0 || seg >= len) seg = len; /* one datagram (an empty one too) */
    memcpy((unsigned char *)data + off, u->rx_iov[i].iov_base, len);
    /* A coalesced message: datagrams of seg bytes, the last possibly shorter. */
    size_t at = 0;
    do {
      size_t piece = len - at < seg ? len - at : seg;
      if (k == GD_UDP_RX_MAX) break; /* cannot happen: ≤ GD_UDP_GRO_SEGMENTS per message */
      int32_t *m = u->rx_meta + (size_t)k * GD_UDP_META;
      m[0] = (int32_t)(off + at);
      m[1] = (int32_t)piece;
      meta_from_sockaddr(&u->rx_addr[i], m + 2);
      k++;
      at += piece;
    } while (at < len);
    off += len;
  }
  u->recv_messages += n;
  u->recv_datagrams += k;
  udp_call(u, 0, k, ab);
  napi_close_handle_scope(u->env, scope);
  return n;
}

static void udp_on_poll(uv_poll_t *h, int status, int events);

/* (Re)starts the watch for what is wanted now: readable unless pulled, writable when waiting. */
static void udp_watch(gd_udp *u) {
  if (!u->polling || u->closed) return;
  int events = (u->pulled ? 0 : UV_READABLE) | (u->want_write ? UV_WRITABLE : 0);
  if (events == 0) uv_poll_stop(&u->poll);
  else uv_poll_start(&u->poll, events, udp_on_poll);
}

static void udp_on_poll(uv_poll_t *h, int status, int events) {
  gd_udp *u = h->data;
  if (u->closed) return;
  if (status < 0) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(u->env, &scope) != napi_ok) return;
    udp_call(u, 2, status, NULL);
    napi_close_handle_scope(u->env, scope);
    return;
  }
  if ((events & UV_WRITABLE) && u->want_write) {
    u->want_write = 0;
    udp_watch(u);
    napi_handle_scope scope;
    if (napi_open_handle_scope(u->env, &scope) == napi_ok) {
      udp_call(u, 1, 0, NULL);
      napi_close_handle_scope(u->env, scope);
    }
  }
  if ((events & UV_READABLE) && !u->pulled) {
    for (int i = 0; i < GD_UDP_READS && !u->closed; i++) {
      if (udp_read_batch(u) < GD_UDP_BATCH) break;
    }
  }
}

/* ---- JS functions ------------------------------------------------------------------------ */

/* udpCreate(v6, callback, rxMeta: Int32Array, txMeta: Int32Array, txData: Uint8Array) → handle. */
static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool v6 = false;
  NAPI_CALL(env, napi_get_value_bool(env, argv[0], &v6));
  int32_t *rx, *txm;
  size_t rx_len, txm_len;
  const unsigned char *txd;
  size_t txd_len;
  if (!typed_i32(env, argv[2], &rx, &rx_len) || rx_len < GD_UDP_RX_MAX * GD_UDP_META ||
      !typed_i32(env, argv[3], &txm, &txm_len) || !gd_get_bytes(env, argv[4], &txd, &txd_len)) {
    return gd_throw(env, "GDWIRE_UDP", "udpCreate: bad shared arrays");
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    napi_value r;
    NAPI_CALL(env, napi_create_int32(env, -errno, &r));
    return r;
  }
  gd_udp *u = calloc(1, sizeof(gd_udp));
  unsigned char *buf = malloc((size_t)GD_UDP_BATCH * GD_UDP_SLOT);
  if (u == NULL || buf == NULL) {
    free(u);
    free(buf);
    close(fd);
    return gd_throw(env, "GDWIRE_UDP", "out of memory");
  }
  u->fd = fd;
  u->family = v6 ? AF_INET6 : AF_INET;
  u->env = env;
  u->rx_buf = buf;
  u->rx_meta = rx;
  u->tx_meta = txm;
  u->tx_meta_len = txm_len;
  u->tx_data = (unsigned char *)txd;
  u->tx_data_len = txd_len;
  int size = GD_UDP_BUFFER;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  /* Refused by old kernels: plain datagrams then. GDWIRE_UDP_GRO=0 leaves it off (A/B runs). */
  const char *gro = getenv("GDWIRE_UDP_GRO");
  if (gro == NULL || strcmp(gro, "0") != 0) {
    int one = 1;
    u->gro_on = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
  }
  napi_value handle, name;
  NAPI_CALL(env, napi_create_reference(env, argv[1], 1, &u->callback));
  NAPI_CALL(env, napi_create_reference(env, argv[2], 1, &u->rx_ref));
  NAPI_CALL(env, napi_create_reference(env, argv[3], 1, &u->tx_meta_ref));
  NAPI_CALL(env, napi_create_reference(env, argv[4], 1, &u->tx_data_ref));
  NAPI_CALL(env, napi_create_string_utf8(env, "gdwire:udp", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_create_object(env, &handle));
  NAPI_CALL(env, napi_async_init(env, handle, name, &u->actx));
  NAPI_CALL(env, napi_create_external(env, u, udp_finalize, NULL, &handle));
  napi_add_env_cleanup_hook(env, udp_env_cleanup, u);
  return handle;
}

static napi_value int_result(napi_env env, int v) {
  napi_value r;
  NAPI_CALL(env, napi_create_int32(env, v, &r));
  return r;
}

/* udpBind(h, ip | null, port, ipv6Only, reuseAddr) → 0 or -errno; starts receiving. */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  gd_udp *u = udp_args(env, info, 5, argv);
  if (u == NULL) return NULL;
  if (u->closed) return int_result(env, -EBADF);
  int32_t port = 0;
  bool v6only = false, reuse = false;
  NAPI_CALL(env, napi_get_value_int32(env, argv[2], &port));
  NAPI_CALL(env, napi_get_value_bool(env, argv[3], &v6only));
  NAPI_CALL(env, napi_get_value_bool(env, argv[4], &reuse));
  char *ip = gd_get_string(env, argv[1], NULL);
  struct sockaddr_storage sa;
  socklen_t len = sockaddr_from_text(u, ip, port, &sa);
  free(ip);
  if (len == 0) return int_result(env, -EINVAL);
  int one = 1, v6 = v6only ? 1 : 0;
  if (u->family == AF_INET6) setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6));
  if (reuse) setsockopt(u->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(u->fd, (struct sockaddr *)&sa, len) != 0) return int_result(env, -errno);
  uv_loop_t *loop = NULL;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init_socket(loop, &u->poll, u->fd) != 0) return int_result(env, -EIO);
  u->poll.data = u;
  u->polling = 1;
  udp_watch(u);
  return int_result(env, 0);
}

/* udpConnect(h, ip | null, port) → 0 or -errno; null dissolves the association. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  gd_udp *u = udp_args(env, info, 3, argv);
  if (u == NULL) return NULL;
  if (u->closed) return int_result(env, -EBADF);
  int32_t port = 0;
  NAPI_CALL(env, napi_get_value_int32(env, argv[2], &port));
  struct sockaddr_storage sa;
  socklen_t len;
  if (gd_is_nullish(env, argv[1])) {
    memset(&sa, 0, sizeof(sa));
    sa.ss_family = AF_UNSPEC;
    len = sizeof(sa);
  } else {
    char *ip = gd_get_string(env, argv[1], NULL);
    len = ip != NULL ? sockaddr_from_text(u, ip, port, &sa) : 0;
    free(ip);
    if (len == 0) return int_result(env, -EINVAL);
  }
  return int_result(env, connect(u->fd, (struct sockaddr *)&sa, len) == 0 ? 0 : -errno);
}

static int udp_build_messages(gd_udp *u, int first, int count);

/*
 * udpSend(h, first, count) → datagrams sent (≥ 1), or -errno when the first failed. Sends
 * tx_meta entries [first, first + count). A short count means the next one failed: the caller
 * calls again from there to learn why.
 */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  gd_udp *u = udp_args(env, info, 3, argv);
  if (u == NULL) return NULL;
  if (u->closed) return int_result(env, -EBADF);
  int32_t first = 0, count = 0;
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &first));
  NAPI_CALL(env, napi_get_value_int32(env, argv[2], &count));
  if (first < 0 || count < 0 || (size_t)(first + count) * GD_UDP_META > u->tx_meta_len) return int_result(env, -EINVAL);
  int sent = 0;
  while (sent < count) {
    int m = udp_build_messages(u, first + sent, count - sent);
    if (m < 0) return sent > 0 ? int_result(env, sent) : int_result(env, -EINVAL);
    int r;
    do {
      r = sendmmsg(u->fd, u->tx_msgs, (unsigned)m, MSG_DONTWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && u->tx_count[0] > 1 && !u->gso_off && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
      u->gso_off = 1; /* this path cannot segment: plain datagrams, and try again */
      continue;
    }
    if (r < 0) {
      int err = errno;
      u->sent_datagrams += sent;
      return int_result(env, sent > 0 ? sent : -err);
    }
    for (int k = 0; k < r; k++) sent += u->tx_count[k];
    u->sent_messages += r;
    if (r < m) break;
  }
  u->sent_datagrams += sent;
  return int_result(env, sent);
}

static int same_destination(const int32_t *a, const int32_t *b) {
  for (int i = 2; i < GD_UDP_META; i++) {
    if (a[i] != b[i]) return 0;
  }
  return 1;
}

/*
 * Fills tx_msgs from tx_meta entries [first, first + count): one message per datagram, or one
 * GSO message per run of same-size datagrams to one destination. Returns the messages, or -1
 * when an entry lies outside tx_data.
 */
static int udp_build_messages(gd_udp *u, int first, int count) {
  int m = 0, iov = 0, i = 0;
  while (i < count && m < GD_UDP_BATCH && iov < GD_UDP_TX_IOV) {
    const int32_t *meta = u->tx_meta + (size_t)(first + i) * GD_UDP_META;
    size_t seg = (uint32_t)meta[1];
    int n = 0;
    size_t total = 0;
    while (i + n < count && iov + n < GD_UDP_TX_IOV) {
      const int32_t *e = u->tx_meta + (size_t)(first + i + n) * GD_UDP_META;
      size_t off = (uint32_t)e[0], len = (uint32_t)e[1];
      if (off > u->tx_data_len || len > u->tx_data_len - off) {
        if (m == 0 && n == 0) return -1;
        break;
      }
      if (n > 0 && (u->gso_off || n == GD_UDP_GSO_SEGMENTS || len > seg || len == 0 ||
                    total + len > GD_UDP_GSO_BYTES || !same_destination(meta, e))) break;
      u->tx_iov[iov + n].iov_base = u->tx_data + off;
      u->tx_iov[iov + n].iov_len = len;
      total += len;
      n++;
      if (len < seg) break; /* a shorter datagram ends a segmented run */
    }
    if (n == 0) break;
    struct msghdr *h = &u->tx_msgs[m].msg_hdr;
    memset(h, 0, sizeof(*h));
    socklen_t alen = sockaddr_from_meta(u, meta + 2, &u->tx_addr[m]);
    h->msg_name = alen > 0 ? &u->tx_addr[m] : NULL;
    h->msg_namelen = alen;
    h->msg_iov = &u->tx_iov[iov];
    h->msg_iovlen = (size_t)n;
    if (n > 1) {
      h->msg_control = u->tx_ctrl[m].buf;
      h->msg_controllen = sizeof(u->tx_ctrl[m].buf);
      struct cmsghdr *c = CMSG_FIRSTHDR(h);
      c->cmsg_level = IPPROTO_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t size = (uint16_t)seg;
      memcpy(CMSG_DATA(c), &size, sizeof(size));
    }
    u->tx_count[m] = n;
    iov += n;
    i += n;
    m++;
  }
  return m;
}

/* A two-element JS array [a, b]. */
static napi_value pair_result(napi_env env, napi_value a, napi_value b) {
  napi_value out;
  NAPI_CALL(env, napi_create_array_with_length(env, 2, &out));
  NAPI_CALL(env, napi_set_element(env, out, 0, a));
  NAPI_CALL(env, napi_set_element(env, out, 1, b));
  return out;
}

/*
 * udpStats(h) → [messages sent (sendmmsg entries), datagrams sent, messages received,
 * datagrams received, 1 if the kernel took UDP_GRO else 0]: how well traffic was grouped.
 */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], out, v;
  gd_udp *u = udp_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  double values[5] = {u->sent_messages, u->sent_datagrams, u->recv_messages, u->recv_datagrams, u->gro_on};
  NAPI_CALL(env, napi_create_array_with_length(env, 5, &out));
  for (uint32_t i = 0; i < 5; i++) {
    NAPI_CALL(env, napi_create_double(env, values[i], &v));
    NAPI_CALL(env, napi_set_element(env, out, i, v));
  }
  return out;
}

/* udpWantWritable(h): one kind-1 callback when the socket can send again. */
static napi_value js_want_writable(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  gd_udp *u = udp_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  if (!u->closed && u->polling && !u->want_write) {
    u->want_write = 1;
    udp_watch(u);
  }
  return NULL;
}

/*
 * udpSetPull(h, on): pull mode on or off. In pull mode the socket is not watched for datagrams
 * (no event-loop wake-up per arrival); they wait in the kernel's receive buffer, as for C ENet
 * between two enet_host_service calls, until udpRead. Off (the default): read as they arrive.
 */
static napi_value js_set_pull(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  gd_udp *u = udp_args(env, info, 2, argv);
  if (u == NULL) return NULL;
  bool on = false;
  NAPI_CALL(env, napi_get_value_bool(env, argv[1], &on));
  if (!u->closed && u->pulled != (int)on) {
    u->pulled = on;
    udp_watch(u);
  }
  return NULL;
}

/*
 * udpRead(h) → messages read (0: none waiting) or -errno: reads what waits now, up to
 * GD_UDP_READS batches, each handed to the callback before this returns (kind 0 or 2, as
 * from the watch). An exception thrown by the callback stops the reading and propagates.
 */
static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  gd_udp *u = udp_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  if (u->closed || !u->polling) return int_result(env, u->closed ? -EBADF : 0);
  if (u->in_read) return int_result(env, 0); /* a callback reading again: the outer loop goes on */
  u->in_read = 1;
  u->js_threw = 0;
  int total = 0, n = 0;
  for (int i = 0; i < GD_UDP_READS && !u->closed; i++) {
    n = udp_read_batch(u);
    if (u->js_threw) break;
    if (n < 0) break;
    total += n;
    if (n < GD_UDP_BATCH) break;
  }
  u->in_read = 0;
  if (u->js_threw) return NULL;
  return int_result(env, total);
}

/* udpLocal(h) → [ip, port] or null. */
static napi_value js_local(napi_env env, napi_callback_info info) {
  napi_value argv[1], ip, port, nul;
  gd_udp *u = udp_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  NAPI_CALL(env, napi_get_null(env, &nul));
  struct sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  if (u->closed || getsockname(u->fd, (struct sockaddr *)&sa, &len) != 0) return nul;
  char text[INET6_ADDRSTRLEN];
  int p;
  if (sa.ss_family == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
    inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
    p = ntohs(s4->sin_port);
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
    p = ntohs(s6->sin6_port);
  }
  NAPI_CALL(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &ip));
  NAPI_CALL(env, napi_create_int32(env, p, &port));
  return pair_result(env, ip, port);
}

/* udpSetBroadcast(h, on) → 0 or -errno. */
static napi_value js_broadcast(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  gd_udp *u = udp_args(env, info, 2, argv);
  if (u == NULL) return NULL;
  bool on = false;
  NAPI_CALL(env, napi_get_value_bool(env, argv[1], &on));
  int v = on ? 1 : 0;
  if (u->closed) return int_result(env, -EBADF);
  return int_result(env, setsockopt(u->fd, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v)) == 0 ? 0 : -errno);
}

/*
 * udpMembership(h, group, iface | null, add) → 0 or -errno. IPv4: iface is a local address;
 * IPv6: an interface name. An IPv4 group on a dual-stack socket joins as IPv4.
 */
static napi_value js_membership(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  gd_udp *u = udp_args(env, info, 4, argv);
  if (u == NULL) return NULL;
  if (u->closed) return int_result(env, -EBADF);
  bool add = false;
  NAPI_CALL(env, napi_get_value_bool(env, argv[3], &add));
  char *group = gd_get_string(env, argv[1], NULL);
  char *iface = gd_get_string(env, argv[2], NULL);
  int rc = -EINVAL;
  struct in_addr g4;
  struct in6_addr g6;
  if (group != NULL && inet_pton(AF_INET, group, &g4) == 1) {
    struct ip_mreq mreq;
    mreq.imr_multiaddr = g4;
    mreq.imr_interface.s_addr = htonl(INADDR_ANY);
    if (iface == NULL || inet_pton(AF_INET, iface, &mreq.imr_interface) == 1) {
      rc = setsockopt(u->fd, IPPROTO_IP, add ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreq, sizeof(mreq)) == 0 ? 0 : -errno;
    }
  } else if (group != NULL && u->family == AF_INET6 && inet_pton(AF_INET6, group, &g6) == 1) {
    struct ipv6_mreq mreq;
    mreq.ipv6mr_multiaddr = g6;
    mreq.ipv6mr_interface = iface != NULL ? if_nametoindex(iface) : 0;
    if (iface == NULL || mreq.ipv6mr_interface != 0) {
      rc = setsockopt(u->fd, IPPROTO_IPV6, add ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mreq, sizeof(mreq)) == 0 ? 0 : -errno;
    } else {
      rc = -ENODEV;
    }
  }
  free(group);
  free(iface);
  return int_result(env, rc);
}

/* udpClose(h): stops receiving and closes the socket; later calls answer -EBADF. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  gd_udp *u = udp_args(env, info, 1, argv);
  if (u == NULL || u->closed) return NULL;
  u->closed = 1;
  napi_remove_env_cleanup_hook(env, udp_env_cleanup, u);
  napi_delete_reference(env, u->callback);
  napi_delete_reference(env, u->rx_ref);
  napi_delete_reference(env, u->tx_meta_ref);
  napi_delete_reference(env, u->tx_data_ref);
  napi_async_destroy(env, u->actx);
  u->callback = u->rx_ref = u->tx_meta_ref = u->tx_data_ref = NULL;
  udp_shutdown(u);
  return NULL;
}

int gd_register_udp(napi_env env, napi_value exports) {
  napi_value batch;
  napi_property_descriptor props[] = {
      {"udpCreate", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpBind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpConnect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSend", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpStats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpWantWritable", NULL, js_want_writable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpLocal", NULL, js_local, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSetBroadcast", NULL, js_broadcast, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpMembership", NULL, js_membership, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpClose", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSetPull", NULL, js_set_pull, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpRead", NULL, js_read, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_create_int32(env, GD_UDP_RX_MAX, &batch) != napi_ok) return 0;
  if (napi_set_named_property(env, exports, "udpBatch", batch) != napi_ok) return 0;
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}

#else
/* Not Linux: no recvmmsg/sendmmsg; gdwire uses node:dgram (batched-socket.ts checks udpCreate). */
int gd_register_udp(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
  return 1;
}
#endif
