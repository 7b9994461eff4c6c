/*
 * gdwire interop peer for test/interop/enet-multiplayer-c.test.ts: C ENet 1.3.17 behaving, at
 * the ENet level, like Godot 4's ENetMultiplayerPeer (modules/enet/enet_multiplayer_peer.cpp,
 * 4.1+): channel 0 reliable, channel 1 unreliable (UNSEQUENCED | UNRELIABLE_FRAGMENT) or
 * ordered (UNRELIABLE_FRAGMENT), transfer channel c > 0 on ENet channel c + 1, no per-packet
 * header, the client id in the CONNECT data. Line-based output on stdout; every run bounded
 * (--seconds). Packets are identified by their first bytes: [tag, mode, transfer channel, ...].
 *
 *   enet-mp-peer client <port> [--id N] [--channels N] [--short-timeout] [--seconds S]
 *     Connects asking for N ENet channels (default 255 = Godot's channel_count 0) with data =
 *     id (default 1234). Prints "CONNECTED <channelCount>", then sends the Godot 4 script:
 *     for each transfer mode m (0 unreliable, 1 ordered, 2 reliable) and transfer channel
 *     c in {0, 3}, one 3-byte packet [0x10 + m*4 + c, m, c] on Godot's channel with Godot's
 *     flags, then a 3000-byte UNRELIABLE packet [0x30, 0, 0, ...] on channel 1. Prints
 *     "SENT <n>". Prints "RECEIVE <ch> <flags> <len> <b0> <b1> <b2>" for each packet (flags
 *     masked to RELIABLE|UNSEQUENCED|UNRELIABLE_FRAGMENT) and "DISCONNECT <data>" (then exits).
 *     --short-timeout: enet_peer_timeout(peer, 4, 500, 1000) (a reset connection times out).
 *   enet-mp-peer server [--max-channels N] [--seconds S]
 *     A Godot 4 server on 127.0.0.1 (dynamic port): channel limit N + 2 (0 = 255). Prints
 *     "READY <port>". On CONNECT prints "CONNECT <data> <channelCount>" and resets the peer
 *     ("RESET") when data < 2, as Godot does. Prints RECEIVE lines as above and echoes each
 *     packet on its channel with its flags; a packet starting with "bye" is answered with
 *     enet_peer_disconnect(peer, 0) instead. Prints "DISCONNECT <data>" (then exits).
 *
 * Build: gcc -O2 -o enet-mp-peer enet-mp-peer.c -lenet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <enet/enet.h>

#define SYSCH_RELIABLE 0
#define SYSCH_UNRELIABLE 1
#define SYSCH_MAX 2
#define FLAGS_SEEN (ENET_PACKET_FLAG_RELIABLE | ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT)

struct options {
  int server, port, shortTimeout;
  unsigned seconds, id, channels, maxChannels;
};

static int parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->seconds = 15; o->id = 1234; o->channels = 255;
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
    if (!strcmp(s, "--short-timeout")) o->shortTimeout = 1;
    else if (more && !strcmp(s, "--seconds")) o->seconds = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--id")) o->id = (unsigned)strtoul(argv[++a], NULL, 10);
    else if (more && !strcmp(s, "--channels")) o->channels = (unsigned)atoi(argv[++a]);
    else if (more && !strcmp(s, "--max-channels")) o->maxChannels = (unsigned)atoi(argv[++a]);
    else return -1;
  }
  return 0;
}

/* Godot 4's put_packet mapping: the mode picks the flags and the default channel; a transfer
 * channel c > 0 replaces the channel by SYSCH_MAX + c - 1. */
static void godotRoute(unsigned mode, unsigned tc, enet_uint8 *channel, enet_uint32 *flags) {
  switch (mode) {
    case 0: *flags = ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT; *channel = SYSCH_UNRELIABLE; break;
    case 1: *flags = ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT; *channel = SYSCH_UNRELIABLE; break;
    default: *flags = ENET_PACKET_FLAG_RELIABLE; *channel = SYSCH_RELIABLE; break;
  }
  if (tc > 0) *channel = (enet_uint8)(SYSCH_MAX + tc - 1);
}

static unsigned clientScript(ENetPeer *peer) {
  unsigned n = 0;
  static const unsigned tcs[] = { 0, 3 };
  for (unsigned m = 0; m < 3; m++) {
    for (unsigned k = 0; k < 2; k++) {
      enet_uint8 ch;
      enet_uint32 flags;
      godotRoute(m, tcs[k], &ch, &flags);
      unsigned char data[3] = { (unsigned char)(0x10 + m * 4 + tcs[k]), (unsigned char)m, (unsigned char)tcs[k] };
      if (enet_peer_send(peer, ch, enet_packet_create(data, sizeof data, flags)) == 0) n++;
    }
  }
  ENetPacket *big = enet_packet_create(NULL, 3000, ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT);
  for (size_t i = 0; i < big->dataLength; i++) big->data[i] = (unsigned char)i;
  big->data[0] = 0x30; big->data[1] = 0; big->data[2] = 0;
  if (enet_peer_send(peer, SYSCH_UNRELIABLE, big) == 0) n++;
  return n;
}

static void printReceive(const ENetEvent *ev) {
  const ENetPacket *p = ev->packet;
  printf("RECEIVE %u %u %zu %u %u %u\n", ev->channelID, p->flags & FLAGS_SEEN, p->dataLength,
         p->dataLength > 0 ? p->data[0] : 0, p->dataLength > 1 ? p->data[1] : 0, p->dataLength > 2 ? p->data[2] : 0);
}

int main(int argc, char **argv) {
  struct options o;
  if (parse(argc, argv, &o) != 0) return 2;
  if (enet_initialize() != 0) return 3;
  setvbuf(stdout, NULL, _IOLBF, 0);

  ENetAddress address;
  enet_address_set_host(&address, "127.0.0.1");
  address.port = (enet_uint16)o.port;
  size_t limit = o.maxChannels > 0 ? o.maxChannels + SYSCH_MAX : 0;
  ENetHost *host = o.server ? enet_host_create(&address, 8, limit, 0, 0) : enet_host_create(NULL, 1, 0, 0, 0);
  if (host == NULL) return 4;

  if (o.server) {
    ENetAddress bound;
    if (enet_socket_get_address(host->socket, &bound) != 0) return 6;
    printf("READY %u\n", bound.port);
  } else {
    ENetPeer *peer = enet_host_connect(host, &address, o.channels, o.id);
    if (peer == NULL) return 7;
    if (o.shortTimeout) enet_peer_timeout(peer, 4, 500, 1000);
  }

  int rc = 1;
  enet_uint32 start = enet_time_get();
  ENetEvent ev;
  while (enet_time_get() - start < o.seconds * 1000u) {
    int r = enet_host_service(host, &ev, 2);
    if (r < 0) break;
    if (r == 0) continue;
    switch (ev.type) {
      case ENET_EVENT_TYPE_CONNECT:
        if (o.server) {
          printf("CONNECT %u %zu\n", ev.data, ev.peer->channelCount);
          if ((int)ev.data < 2) {
            enet_peer_reset(ev.peer);
            printf("RESET\n");
          }
        } else {
          printf("CONNECTED %zu\n", ev.peer->channelCount);
          printf("SENT %u\n", clientScript(ev.peer));
        }
        break;
      case ENET_EVENT_TYPE_RECEIVE:
        printReceive(&ev);
        if (o.server) {
          if (ev.packet->dataLength >= 3 && !memcmp(ev.packet->data, "bye", 3)) {
            enet_peer_disconnect(ev.peer, 0);
          } else {
            enet_uint32 flags = ev.packet->flags & FLAGS_SEEN;
            enet_peer_send(ev.peer, ev.channelID, enet_packet_create(ev.packet->data, ev.packet->dataLength, flags));
          }
        }
        enet_packet_destroy(ev.packet);
        break;
      case ENET_EVENT_TYPE_DISCONNECT:
        printf("DISCONNECT %u\n", ev.data);
        rc = 0;
        goto out;
      default:
        break;
    }
  }
out:
  enet_host_flush(host);
  enet_host_destroy(host);
  enet_deinitialize();
  return rc;
}
