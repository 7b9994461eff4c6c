/*
 * gdwire test helper: runs C ENet 1.3.17's range coder and CRC32 on framed buffers, so the
 * TypeScript port can be compared with the real library byte for byte.
 *
 * stdin:  repeated  [op:u8 'c'|'d'|'k'] [outLimit:u32 BE] [length:u32 BE] [bytes]
 * stdout: for each  [length:u32 BE] [bytes]   (length 0 when the library returned 0)
 *   'c' enet_range_coder_compress(buffer, outLimit)
 *   'd' enet_range_coder_decompress(buffer, outLimit)
 *   'k' enet_crc32(buffer): the 4 bytes exactly as ENet stores them in a datagram header
 *
 * Build: gcc -O2 -o enet-codec-tool enet-codec-tool.c -lenet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <enet/enet.h>

static int read_exact(void *buf, size_t n) { return fread(buf, 1, n, stdin) == n; }

static unsigned read_u32(const unsigned char *b) {
  return ((unsigned)b[0] << 24) | ((unsigned)b[1] << 16) | ((unsigned)b[2] << 8) | b[3];
}

static void write_frame(const unsigned char *data, unsigned length) {
  unsigned char h[4] = { (unsigned char)(length >> 24), (unsigned char)(length >> 16),
                         (unsigned char)(length >> 8), (unsigned char)length };
  fwrite(h, 1, 4, stdout);
  if (length > 0) fwrite(data, 1, length, stdout);
}

int main(void) {
  if (enet_initialize() != 0) return 2;
  void *coder = enet_range_coder_create();
  if (coder == NULL) return 2;
  for (;;) {
    unsigned char head[9];
    if (!read_exact(head, 9)) break;
    unsigned outLimit = read_u32(head + 1), length = read_u32(head + 5);
    unsigned char *in = malloc(length + 1), *out = malloc(outLimit + 1);
    if (in == NULL || out == NULL || !read_exact(in, length)) return 3;
    size_t produced = 0;
    if (head[0] == 'c') {
      ENetBuffer buffer = { .data = in, .dataLength = length };
      produced = enet_range_coder_compress(coder, &buffer, 1, length, out, outLimit);
      write_frame(out, (unsigned)produced);
    } else if (head[0] == 'd') {
      produced = enet_range_coder_decompress(coder, in, length, out, outLimit);
      write_frame(out, (unsigned)produced);
    } else if (head[0] == 'k') {
      ENetBuffer buffer = { .data = in, .dataLength = length };
      enet_uint32 crc = enet_crc32(&buffer, 1);
      write_frame((const unsigned char *)&crc, 4);
    } else {
      return 4;
    }
    free(in);
    free(out);
  }
  fflush(stdout);
  enet_range_coder_destroy(coder);
  enet_deinitialize();
  return 0;
}
