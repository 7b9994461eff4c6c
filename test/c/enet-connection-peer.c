/*
 * gdwire interop peer for test/interop/enet-connection-c.test.ts: a C ENet 1.3.17 host on
 * 127.0.0.1, line-based output on stdout, every run bounded in time (--seconds).
 *
 *   enet-connection-peer server [options]
 *     Echo server. Prints "READY <port>", "CONNECT <data> <channels>",
 *     "RECEIVE <ch> <len> <flags> <fnv1a>", "DISCONNECT <data>". Echoes each packet on its
 *     channel with its flags, except control packets: "bye:<n>" disconnects that peer
 *     gracefully with data n, "later:<n>" with enet_peer_disconnect_later.
 *   enet-connection-peer client <port> [options]
 *     Connects with --channels (default 4) and --data (default 1234). On CONNECT it sends
 *     --count reliable packets on channels 1..3 (n % 3 + 1; sizes cycling 1, 100, 1000, 3000;
 *     byte i of packet n = (n*31 + i) & 255), each tenth also an unsequenced and an unreliable
 *     20-byte packet and a 5000-byte UNRELIABLE_FRAGMENT packet on channel 0, then one
 *     --big-byte reliable packet (pattern n = count) on channel 1. Checks the echoes of the
 *     reliable packets arrive complete and in order per channel. When all came back it prints
 *     "ECHOED <reliable> <unsequenced> <unreliable> <fragments>", then disconnects with
 *     --bye-data unless --wait-disconnect. Prints "CONNECTED <data>", "BAD <n>",
 *     "DISCONNECT <data>", "DONE <reliable echoes>".
 *
 * Options: --checksum (enet_crc32), --range-coder, --seconds S (default 20),
 *          --exit-on-disconnect (server), --count N (60), --big N (1048576),
 *          --channels N, --data N, --bye-data N (42), --wait-disconnect (client),
 *          --warm-up (client: send only once the peer has a round-trip sample, i.e. an
 *          acknowledgement came back — before one, ENet's resend timeouts start at 500 ms)
 * Build: gcc -O2 -o enet-connection-peer enet-connection-peer.c -lenet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <enet/enet.h>

static const size_t SIZES[] = { 1, 100, 1000, 3000 };

static unsigned fnv1a(const unsigned char *p, size_t len) {
  unsigned h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static ENetPacket *pattern(unsigned n, size_t len, enet_uint32 flags) {
  ENetPacket *p = enet_packet_create(NULL, len, flags);
  for (size_t i = 0; i < len; i++) p->data[i] = (unsigned char)((n * 31u + i) & 255u);
  return p;
}

static int check(const ENetPacket *p, unsigned n, size_t len) {
  if (p->dataLength != len) return 0;
  for (size_t i = 0; i < len; i++)
    if (p->data[i] != (unsigned char)((n * 31u + i) & 255u)) return 0;
  return 1;
}

struct options {
  int server, port, checksum, rangeCoder, exitOnDisconnect, waitDisconnect, warmUp;
  unsigned seconds, count, big, channels, data, byeData, timeout;
};

static int parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->seconds = 20; o->count = 60; o->big = 1048576; o->channels = 4; o->data = 1234; o->byeData = 42;
  if (argc < 2) return -1;
  o->server = strcmp(argv[1], "server") == 0;
  int a = 2;
  if (!o->server) {
    if (argc < 3) return -1;
    o->port = atoi(argv[2]);
    a = 3;
  }
  for (; a < argc; a++) {
    const char *s = argv[a];
    int more = a + 1 < argc;
    if (!strcmp(s, "--checksum")) o->checksum = 1;
    else if (!strcmp(s, "--range-coder")) o->rangeCoder = 1;
    else if (!strcmp(s, "--exit-on-disconnect")) o->exitOnDisconnect = 1;
    else if (!strcmp(s, "--wait-disconnect")) o->waitDisconnect = 1;
    else if (!strcmp(s, "--warm-up")) o->warmUp = 1;
    else if (more && !strcmp(s, "--seconds")) o->seconds = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--count")) o->count = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--big")) o->big = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--channels")) o->channels = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--data")) o->data = (unsigned)strtoul(argv[++a], NULL, 10);
    else if (more && !strcmp(s, "--bye-data")) o->byeData = (unsigned)strtoul(argv[++a], NULL, 10);
    else if (more && !strcmp(s, "--timeout")) o->timeout = (unsigned)atoi(argv[++a]);
    else return -1;
  }
  return 0;
}

static void serverReceive(ENetEvent *ev) {
  ENetPacket *in = ev->packet;
  printf("RECEIVE %u %zu %u %08x\n", ev->channelID, in->dataLength, in->flags & 15u, fnv1a(in->data, in->dataLength));
  unsigned n;
  char buf[32] = { 0 };
  memcpy(buf, in->data, in->dataLength < sizeof buf - 1 ? in->dataLength : sizeof buf - 1);
  if (sscanf(buf, "bye:%u", &n) == 1) {
    enet_peer_disconnect(ev->peer, n);
  } else if (sscanf(buf, "later:%u", &n) == 1) {
    enet_peer_disconnect_later(ev->peer, n);
  } else {
    enet_uint32 flags = in->flags & (ENET_PACKET_FLAG_RELIABLE | ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT);
    enet_peer_send(ev->peer, ev->channelID, enet_packet_create(in->data, in->dataLength, flags));
  }
}

static void clientSend(ENetPeer *peer, const struct options *o) {
  for (unsigned n = 0; n < o->count; n++) {
    enet_peer_send(peer, (enet_uint8)(n % 3 + 1), pattern(n, SIZES[n % 4], ENET_PACKET_FLAG_RELIABLE));
    if (n % 10 == 0) {
      enet_peer_send(peer, 0, pattern(n, 20, ENET_PACKET_FLAG_UNSEQUENCED));
      enet_peer_send(peer, 0, pattern(n, 20, 0));
      enet_peer_send(peer, 0, pattern(n, 5000, ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT));
    }
  }
  if (o->big > 0) enet_peer_send(peer, 1, pattern(o->count, o->big, ENET_PACKET_FLAG_RELIABLE));
}

int main(int argc, char **argv) {
  struct options o;
  if (parse(argc, argv, &o) != 0) return 2;
  if (enet_initialize() != 0) return 3;
  setvbuf(stdout, NULL, _IOLBF, 0);

  ENetAddress address;
  enet_address_set_host(&address, "127.0.0.1");
  address.port = (enet_uint16)o.port;
  ENetHost *host = o.server ? enet_host_create(&address, 8, 0, 0, 0) : enet_host_create(NULL, 1, 0, 0, 0);
  if (host == NULL) return 4;
  if (o.checksum) host->checksum = enet_crc32;
  if (o.rangeCoder && enet_host_compress_with_range_coder(host) != 0) return 5;

  ENetPeer *peer = NULL;
  if (o.server) {
    ENetAddress bound;
    if (enet_socket_get_address(host->socket, &bound) != 0) return 6;
    printf("READY %u\n", bound.port);
  } else {
    peer = enet_host_connect(host, &address, o.channels, o.data);
    if (peer == NULL) return 7;
  }

  /* client bookkeeping: next expected reliable echo per channel 1..3 */
  unsigned expect[4] = { 0, 0, 1, 2 };
  unsigned reliable = 0, unseq = 0, unrel = 0, frags = 0, total = o.count + (o.big > 0 ? 1 : 0);
  int done = 0, rc = 1, pendingSend = 0;
  enet_uint32 start = enet_time_get();
  ENetEvent ev;
  while (enet_time_get() - start < o.seconds * 1000u) {
    int r = enet_host_service(host, &ev, 2);
    if (r < 0) break;
    /* --warm-up: ENet sets lastReceiveTime on the first acknowledgement (its first RTT sample). */
    if (pendingSend && peer->lastReceiveTime != 0) {
      pendingSend = 0;
      clientSend(peer, &o);
    }
    if (r == 0) continue;
    switch (ev.type) {
      case ENET_EVENT_TYPE_CONNECT:
        /* Lossy runs: ENet's default timeouts may end a link at 20 % loss each way. */
        if (o.timeout) enet_peer_timeout(ev.peer, 0, o.timeout, o.timeout);
        if (o.server) {
          printf("CONNECT %u %zu\n", ev.data, ev.peer->channelCount);
        } else {
          printf("CONNECTED %u\n", ev.data);
          if (o.warmUp) pendingSend = 1;
          else clientSend(peer, &o);
        }
        break;
      case ENET_EVENT_TYPE_RECEIVE:
        if (o.server) {
          serverReceive(&ev);
        } else if (ev.channelID >= 1 && ev.channelID <= 3) {
          unsigned n = expect[ev.channelID];
          int isBig = o.big > 0 && ev.channelID == 1 && ev.packet->dataLength == o.big;
          if (isBig ? check(ev.packet, o.count, o.big) : (n < o.count && check(ev.packet, n, SIZES[n % 4]))) reliable++;
          else printf("BAD %u\n", n);
          if (!isBig) expect[ev.channelID] = n + 3;
        } else if (ev.packet->flags & ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT) {
          frags++;
        } else if (ev.packet->flags & ENET_PACKET_FLAG_UNSEQUENCED) {
          unseq++;
        } else {
          unrel++;
        }
        enet_packet_destroy(ev.packet);
        if (!o.server && !done && reliable == total) {
          done = 1;
          printf("ECHOED %u %u %u %u\n", reliable, unseq, unrel, frags);
          if (!o.waitDisconnect) enet_peer_disconnect(peer, o.byeData);
        }
        break;
      case ENET_EVENT_TYPE_DISCONNECT:
        printf("DISCONNECT %u\n", ev.data);
        if (!o.server || o.exitOnDisconnect) {
          rc = o.server || reliable == total ? 0 : 1;
          goto out;
        }
        break;
      default:
        break;
    }
  }
out:
  if (!o.server) printf("DONE %u\n", reliable);
  enet_host_flush(host);
  enet_host_destroy(host);
  enet_deinitialize();
  return rc;
}
