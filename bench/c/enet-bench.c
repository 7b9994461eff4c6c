/*
 * C ENet 1.3.17 side of bench/enet.bench: a server and a load-generating client, speaking the
 * bench protocol that bench/enet-peer.ts (gdwire) and bench/enet-npm-client.ts (npm enet) also
 * speak, so any client can drive any server. Line-based output on stdout.
 *
 * Protocol (3 channels):
 *   channel 0  reliable data; the server counts per peer and, every REPORT messages, sends
 *              the count back (4 bytes, little-endian, reliable, channel 0)
 *   channel 1  reliable echo (ping-pong)
 *   channel 2  "mark": the server prints "MARK <cpu µs> <wall µs> <messages received>"
 *
 *   enet-bench server [--svc MS] [--peers N] [--seconds S]
 *     Prints "READY <port>". enet_host_service(host, &ev, MS) loop (0 = busy loop).
 *   enet-bench client <port> --mode tput [--svc MS] [--size B] [--count N] [--warm M] [--window W] [--prequeue]
 *     Sends M + N reliable messages of B bytes on channel 0, keeping at most W unreported (or all
 *     queued before the first service with --prequeue). The clock starts once the server has
 *     reported M (warm-up, as the rtt mode's). Prints "RESULT <msg/s of the N> <ms> <msg/s of all>".
 *   enet-bench client <port> --mode rtt [--svc MS] [--count N] [--warm M]
 *     N ping-pongs of 64 bytes on channel 1 after M unmeasured ones (default N / 10).
 *     Prints "RTT <median µs> <p99 µs>".
 *   enet-bench client <port> --mode many [--peers P] [--rate R] [--seconds S]
 *     P peers on one host, each sending R reliable 64-byte messages per second for S seconds,
 *     with a mark before and after. Prints "CONNECTED <P>", then "SENT <n>".
 * Build: gcc -O2 -o enet-bench enet-bench.c -lenet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <enet/enet.h>

#define REPORT 256

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

static unsigned le32(const unsigned char *p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((unsigned)p[3] << 24);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

struct opts {
  int svc, peers, size, prequeue, rate;
  unsigned count, window, seconds, warm;
  const char *mode;
};

static int server(struct opts *o) {
  ENetAddress address;
  enet_address_set_host(&address, "127.0.0.1");
  address.port = 0;
  ENetHost *host = enet_host_create(&address, (size_t)o->peers, 3, 0, 0);
  if (host == NULL) return 4;
  ENetAddress bound;
  if (enet_socket_get_address(host->socket, &bound) != 0) return 6;
  printf("READY %u\n", bound.port);
  unsigned *counts = calloc((size_t)o->peers, sizeof(unsigned));
  unsigned long total = 0;
  double start = now_us();
  ENetEvent ev;
  while (now_us() - start < o->seconds * 1e6) {
    int r = enet_host_service(host, &ev, (enet_uint32)o->svc);
    if (r < 0) return 8;
    if (r == 0) continue;
    size_t idx = ev.peer ? (size_t)(ev.peer - host->peers) : 0;
    switch (ev.type) {
      case ENET_EVENT_TYPE_CONNECT:
      case ENET_EVENT_TYPE_DISCONNECT:
        counts[idx] = 0;
        break;
      case ENET_EVENT_TYPE_RECEIVE:
        if (ev.channelID == 0) {
          total++;
          if (++counts[idx] % REPORT == 0) {
            unsigned c = counts[idx];
            unsigned char b[4] = { c & 255, (c >> 8) & 255, (c >> 16) & 255, c >> 24 };
            enet_peer_send(ev.peer, 0, enet_packet_create(b, 4, ENET_PACKET_FLAG_RELIABLE));
          }
        } else if (ev.channelID == 1) {
          enet_peer_send(ev.peer, 1, enet_packet_create(ev.packet->data, ev.packet->dataLength, ENET_PACKET_FLAG_RELIABLE));
        } else {
          printf("MARK %.0f %.0f %lu\n", cpu_us(), now_us(), total);
        }
        enet_packet_destroy(ev.packet);
        break;
      default:
        break;
    }
  }
  enet_host_destroy(host);
  return 0;
}

static ENetPacket *data_packet(int size) {
  ENetPacket *p = enet_packet_create(NULL, (size_t)size, ENET_PACKET_FLAG_RELIABLE);
  memset(p->data, 7, (size_t)size);
  return p;
}

/* Services until `peer` is connected (or 5 s pass). */
static int await_connect(ENetHost *host, int svc) {
  ENetEvent ev;
  double start = now_us();
  while (now_us() - start < 5e6) {
    if (enet_host_service(host, &ev, (enet_uint32)(svc ? svc : 1)) > 0 && ev.type == ENET_EVENT_TYPE_CONNECT) return 1;
  }
  return 0;
}

static int client_tput(ENetHost *host, ENetPeer *peer, struct opts *o) {
  unsigned sent = 0, reported = 0, base = 0;
  unsigned warm = (o->warm + REPORT - 1) / REPORT * REPORT; /* the server reports every REPORT */
  o->count = (o->count + REPORT - 1) / REPORT * REPORT + warm;
  double t0 = now_us(), t1 = warm ? -1 : t0;
  if (o->prequeue)
    for (; sent < o->count; sent++) enet_peer_send(peer, 0, data_packet(o->size));
  ENetEvent ev;
  while (reported < o->count && now_us() - t0 < 20e6) {
    while (sent < o->count && sent - reported < o->window) {
      enet_peer_send(peer, 0, data_packet(o->size));
      sent++;
    }
    int r = enet_host_service(host, &ev, (enet_uint32)o->svc);
    if (r < 0) return 8;
    if (r > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) {
      if (ev.channelID == 0 && ev.packet->dataLength == 4) reported = le32(ev.packet->data);
      if (t1 < 0 && reported >= warm) { t1 = now_us(); base = reported; }
      enet_packet_destroy(ev.packet);
    } else if (r > 0 && ev.type == ENET_EVENT_TYPE_DISCONNECT) {
      return 9;
    }
  }
  double end = now_us(), ms = (end - (t1 < 0 ? t0 : t1)) / 1e3, all = (end - t0) / 1e3;
  printf("RESULT %.0f %.1f %.0f\n", (reported - base) * 1e3 / ms, ms, reported * 1e3 / all);
  return reported == o->count ? 0 : 10;
}

static int client_rtt(ENetHost *host, ENetPeer *peer, struct opts *o) {
  unsigned warm = o->warm ? o->warm : o->count / 10, total = o->count + warm;
  double *rtt = calloc(o->count, sizeof(double));
  ENetEvent ev;
  for (unsigned i = 0; i < total; i++) {
    double t = now_us();
    enet_peer_send(peer, 1, data_packet(64));
    for (;;) {
      int r = enet_host_service(host, &ev, (enet_uint32)o->svc);
      if (r < 0) return 8;
      if (r > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) {
        int echo = ev.channelID == 1;
        enet_packet_destroy(ev.packet);
        if (echo) break;
      } else if (r > 0 && ev.type == ENET_EVENT_TYPE_DISCONNECT) {
        return 9;
      }
      if (now_us() - t > 5e6) return 11;
    }
    if (i >= warm) rtt[i - warm] = now_us() - t;
  }
  qsort(rtt, o->count, sizeof(double), cmp_double);
  printf("RTT %.1f %.1f\n", rtt[o->count / 2], rtt[(size_t)(o->count * 0.99)]);
  return 0;
}

static int client_many(int port, struct opts *o) {
  ENetHost *host = enet_host_create(NULL, (size_t)o->peers, 3, 0, 0);
  if (host == NULL) return 4;
  ENetAddress address;
  enet_address_set_host(&address, "127.0.0.1");
  address.port = (enet_uint16)port;
  ENetPeer **peers = calloc((size_t)o->peers, sizeof(ENetPeer *));
  for (int i = 0; i < o->peers; i++) peers[i] = enet_host_connect(host, &address, 3, 0);
  int connected = 0;
  ENetEvent ev;
  double start = now_us();
  while (connected < o->peers && now_us() - start < 20e6) {
    if (enet_host_service(host, &ev, 1) > 0 && ev.type == ENET_EVENT_TYPE_CONNECT) connected++;
  }
  printf("CONNECTED %d\n", connected);
  if (connected < o->peers) return 12;
  enet_peer_send(peers[0], 2, enet_packet_create("mark", 4, ENET_PACKET_FLAG_RELIABLE));
  double t0 = now_us(), perUs = (double)o->peers * o->rate / 1e6;
  unsigned long sent = 0;
  while (now_us() - t0 < o->seconds * 1e6) {
    unsigned long due = (unsigned long)((now_us() - t0) * perUs);
    for (; sent < due; sent++) enet_peer_send(peers[sent % (unsigned)o->peers], 0, data_packet(64));
    if (enet_host_service(host, &ev, 1) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
  }
  enet_peer_send(peers[0], 2, enet_packet_create("mark", 4, ENET_PACKET_FLAG_RELIABLE));
  double t1 = now_us();
  while (now_us() - t1 < 300e3) {
    if (enet_host_service(host, &ev, 1) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
  }
  printf("SENT %lu\n", sent);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int is_server = strcmp(argv[1], "server") == 0;
  int port = 0, a = 2;
  struct opts o = { 1, 8, 64, 0, 20, 200000, 2048, 120, 0, "tput" };
  if (!is_server) {
    if (argc < 3) return 2;
    port = atoi(argv[2]);
    a = 3;
  }
  for (; a < argc; a++) {
    const char *k = argv[a];
    const char *v = a + 1 < argc ? argv[a + 1] : "0";
    if (!strcmp(k, "--prequeue")) { o.prequeue = 1; continue; }
    if (!strcmp(k, "--svc")) o.svc = atoi(v);
    else if (!strcmp(k, "--peers")) o.peers = atoi(v);
    else if (!strcmp(k, "--size")) o.size = atoi(v);
    else if (!strcmp(k, "--rate")) o.rate = atoi(v);
    else if (!strcmp(k, "--count")) o.count = (unsigned)atoi(v);
    else if (!strcmp(k, "--warm")) o.warm = (unsigned)atoi(v);
    else if (!strcmp(k, "--window")) o.window = (unsigned)atoi(v);
    else if (!strcmp(k, "--seconds")) o.seconds = (unsigned)atoi(v);
    else if (!strcmp(k, "--mode")) o.mode = v;
    else return 2;
    a++;
  }
  if (enet_initialize() != 0) return 3;
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc;
  if (is_server) {
    rc = server(&o);
  } else if (!strcmp(o.mode, "many")) {
    rc = client_many(port, &o);
  } else {
    ENetHost *host = enet_host_create(NULL, 1, 3, 0, 0);
    if (host == NULL) return 4;
    ENetAddress address;
    enet_address_set_host(&address, "127.0.0.1");
    address.port = (enet_uint16)port;
    ENetPeer *peer = enet_host_connect(host, &address, 3, 0);
    if (peer == NULL || !await_connect(host, o.svc)) return 7;
    rc = !strcmp(o.mode, "rtt") ? client_rtt(host, peer, &o) : client_tput(host, peer, &o);
    enet_peer_disconnect_now(peer, 0);
    enet_host_destroy(host);
  }
  enet_deinitialize();
  return rc;
}
