/*
 * gdwire interop peer: a C ENet 1.3.17 host on 127.0.0.1 driven by command-line options, for
 * test/interop/enet-c.test.ts. Output is line-based on stdout; every run is bounded in time.
 *
 *   enet-peer server [options]
 *     Echo server. Prints "READY <port>", then "CONNECT <data>", "RECEIVE <ch> <len> <flags>",
 *     "DISCONNECT <data>". Echoes every packet back on its channel with its flags; a packet
 *     "bye" makes it disconnect that peer gracefully with data 7.
 *   enet-peer client <port> [options]
 *     Connects (3 channels, data 1234), sends --count reliable packets on channel 1 with sizes
 *     cycling 1, 100, 1000, 3000, 10000 (byte i of packet n = (n*31 + i) & 255), plus one
 *     unsequenced and one unreliable packet on channel 2 each tenth packet, checks the
 *     reliable echoes arrive complete and in order, then disconnects with data 42.
 *     Prints "CONNECTED", "ECHOED <n>", "BAD <n>", "DONE <reliable echoes> <other echoes>".
 *
 * Options: --checksum (enet_crc32), --range-coder, --count N, --seconds S (deadline, default 20),
 *          --exit-on-disconnect (server)
 * Build: gcc -O2 -o enet-peer enet-peer.c -lenet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <enet/enet.h>

static const size_t SIZES[] = { 1, 100, 1000, 3000, 10000 };

static void fill(unsigned char *p, size_t len, unsigned n) {
  for (size_t i = 0; i < len; i++) p[i] = (unsigned char)((n * 31u + i) & 255u);
}

static int check(const unsigned char *p, size_t len, unsigned n) {
  if (len != SIZES[n % 5]) return 0;
  for (size_t i = 0; i < len; i++)
    if (p[i] != (unsigned char)((n * 31u + i) & 255u)) return 0;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int server = strcmp(argv[1], "server") == 0;
  int port = 0, checksum = 0, rangeCoder = 0, exitOnDisconnect = 0;
  unsigned count = 100, seconds = 20;
  int a = 2;
  if (!server) {
    if (argc < 3) return 2;
    port = atoi(argv[2]);
    a = 3;
  }
  for (; a < argc; a++) {
    if (!strcmp(argv[a], "--checksum")) checksum = 1;
    else if (!strcmp(argv[a], "--range-coder")) rangeCoder = 1;
    else if (!strcmp(argv[a], "--exit-on-disconnect")) exitOnDisconnect = 1;
    else if (!strcmp(argv[a], "--count") && a + 1 < argc) count = (unsigned)atoi(argv[++a]);
    else if (!strcmp(argv[a], "--seconds") && a + 1 < argc) seconds = (unsigned)atoi(argv[++a]);
    else return 2;
  }
  if (enet_initialize() != 0) return 3;
  setvbuf(stdout, NULL, _IOLBF, 0);

  ENetAddress address;
  enet_address_set_host(&address, "127.0.0.1");
  address.port = (enet_uint16)port;
  ENetHost *host = server ? enet_host_create(&address, 8, 0, 0, 0) : enet_host_create(NULL, 1, 0, 0, 0);
  if (host == NULL) return 4;
  if (checksum) host->checksum = enet_crc32;
  if (rangeCoder && enet_host_compress_with_range_coder(host) != 0) return 5;

  ENetPeer *peer = NULL;
  if (server) {
    ENetAddress bound;
    if (enet_socket_get_address(host->socket, &bound) != 0) return 6;
    printf("READY %u\n", bound.port);
  } else {
    peer = enet_host_connect(host, &address, 3, 1234);
    if (peer == NULL) return 7;
  }

  enet_uint32 start = enet_time_get();
  unsigned sent = 0, echoed = 0, others = 0, expect = 0;
  int connected = 0, disconnecting = 0, rc = 1;
  ENetEvent ev;
  while (enet_time_get() - start < seconds * 1000u) {
    int r = enet_host_service(host, &ev, 2);
    if (r < 0) break;
    if (r > 0) switch (ev.type) {
      case ENET_EVENT_TYPE_CONNECT:
        printf(server ? "CONNECT %u\n" : "CONNECTED %u\n", ev.data);
        connected = 1;
        break;
      case ENET_EVENT_TYPE_RECEIVE:
        if (server) {
          printf("RECEIVE %u %zu %u\n", ev.channelID, ev.packet->dataLength, ev.packet->flags & 15u);
          if (ev.packet->dataLength == 3 && memcmp(ev.packet->data, "bye", 3) == 0) {
            enet_peer_disconnect(ev.peer, 7);
          } else {
            ENetPacket *echo = enet_packet_create(ev.packet->data, ev.packet->dataLength,
                                                  ev.packet->flags & (ENET_PACKET_FLAG_RELIABLE | ENET_PACKET_FLAG_UNSEQUENCED |
                                                                      ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT));
            enet_peer_send(ev.peer, ev.channelID, echo);
          }
        } else if (ev.channelID == 1) {
          if (check(ev.packet->data, ev.packet->dataLength, expect)) echoed++;
          else printf("BAD %u\n", expect);
          expect++;
          if (echoed % 50 == 0) printf("ECHOED %u\n", echoed);
        } else {
          others++;
        }
        enet_packet_destroy(ev.packet);
        break;
      case ENET_EVENT_TYPE_DISCONNECT:
        printf("DISCONNECT %u\n", ev.data);
        if (!server) {
          printf("DONE %u %u\n", echoed, others);
          rc = echoed == count ? 0 : 1;
          goto out;
        }
        if (exitOnDisconnect) {
          rc = 0;
          goto out;
        }
        break;
      default:
        break;
    }
    if (!server && connected && !disconnecting) {
      /* keep a modest number of packets in flight */
      while (sent < count && sent - echoed < 32) {
        size_t len = SIZES[sent % 5];
        ENetPacket *p = enet_packet_create(NULL, len, ENET_PACKET_FLAG_RELIABLE);
        fill(p->data, len, sent);
        enet_peer_send(peer, 1, p);
        if (sent % 10 == 0) {
          enet_peer_send(peer, 2, enet_packet_create("unseq", 5, ENET_PACKET_FLAG_UNSEQUENCED));
          enet_peer_send(peer, 2, enet_packet_create("unrel", 5, 0));
        }
        sent++;
      }
      if (echoed == count) {
        enet_peer_disconnect(peer, 42);
        disconnecting = 1;
      }
    }
  }
  printf("DONE %u %u\n", echoed, others);
out:
  enet_host_flush(host);
  enet_host_destroy(host);
  enet_deinitialize();
  return rc;
}
