/*
 * A memory BIO that preserves datagram boundaries: one BIO_write is one outgoing datagram,
 * one BIO_read returns (at most) one incoming datagram. OpenSSL 3.0 has no BIO_s_dgram_pair,
 * and BIO_s_mem would merge records into a byte stream, which DTLS cannot use.
 * gdwire never hands OpenSSL a socket: TypeScript feeds received datagrams in and takes the
 * written ones out.
 */
#ifndef GDWIRE_DGRAM_BIO_H
#define GDWIRE_DGRAM_BIO_H

#include <stddef.h>
#include <openssl/bio.h>

typedef struct gd_dgram {
  struct gd_dgram *next;
  size_t len;
  unsigned char data[];
} gd_dgram;

typedef struct {
  gd_dgram *head;
  gd_dgram *tail;
  size_t count;
  size_t bytes;
} gd_queue;

/* Where writes go while a caller captures them (sessionSend): one contiguous buffer, no
 * allocation per datagram. A write that does not fit goes to the out queue instead. */
#define GD_CAPTURE_BYTES (32 * 1024)
#define GD_CAPTURE_MAX 16
typedef struct {
  unsigned char data[GD_CAPTURE_BYTES];
  size_t used;
  size_t count;
  size_t offset[GD_CAPTURE_MAX];
  size_t len[GD_CAPTURE_MAX];
} gd_capture;

typedef struct {
  /* A datagram lent by the caller for the duration of one call (sessionRecv): read before
   * the queue, never copied into it. */
  const unsigned char *borrowed;
  size_t borrowed_len;
  gd_capture *capture;
  /* Where the first datagram of a write goes while a caller lends its own buffer
   * (sessionSendInto): written there directly if it fits, else queued like any other. */
  unsigned char *direct;
  size_t direct_cap;
  size_t direct_len; /* bytes written there; 0 = nothing yet */
  gd_queue in;   /* received, waiting for OpenSSL to read */
  gd_queue out;  /* written by OpenSSL, waiting for TypeScript to send */
  int peek;      /* BIO_CTRL_DGRAM_SET_PEEK_MODE: reads leave the datagram queued */
  long mtu;
} gd_bio_state;

/* Limits so a peer that never drains (or a flood that is never read) stays bounded. */
#define GD_QUEUE_MAX_COUNT 1024
#define GD_QUEUE_MAX_BYTES (4 * 1024 * 1024)

/* A new BIO of the gdwire datagram type, or NULL. Its state is gd_bio_get_state(). */
BIO *gd_bio_new(long mtu);
gd_bio_state *gd_bio_get_state(BIO *b);

/* Appends a copy of one datagram; 0 when the queue is full (the datagram is dropped). */
int gd_queue_push(gd_queue *q, const unsigned char *data, size_t len);
/* Puts a copy of one datagram before the others; 0 when the queue is full (dropped). */
int gd_queue_push_front(gd_queue *q, const unsigned char *data, size_t len);
/* Detaches and returns the oldest datagram (caller frees it with free()), or NULL. */
gd_dgram *gd_queue_pop(gd_queue *q);
void gd_queue_clear(gd_queue *q);

#endif
