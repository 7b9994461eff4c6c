/**
 * Wrap-safe arithmetic on ENet's 32-bit millisecond timestamps and 16-bit sequence numbers.
 * Every time comparison in the engine goes through these: raw `<` on timestamps breaks when
 * the clock wraps past 2^32, which tests provoke on purpose.
 *
 * ENet treats a difference of 86,400,000 ms (one day) or more as "negative": a timestamp
 * more than a day "ahead" is taken to be behind.
 *
 * @see enet include/enet/time.h (ENET_TIME_LESS, ENET_TIME_DIFFERENCE, …)
 */

/** @see enet time.h ENET_TIME_OVERFLOW */
export const TIME_OVERFLOW = 86_400_000;

/** Normalises any number to a 32-bit unsigned timestamp (fractions dropped, wrapped). */
export function toTime(ms: number): number {
  return Math.floor(ms) >>> 0;
}

/** ENet's clock wraps at 2^32 ms. */
const TIME_SPAN = 2 ** 32;

/**
 * Any number as a timestamp modulo 2^32 with its fraction kept: what a driver passes to
 * Host.service(), whose millisecond bounds on held sends and acknowledgements need a whole
 * millisecond of the clock, not the next tick of a millisecond counter. The engine rounds down
 * ({@link toTime}) everywhere else.
 */
export function wrapTime(ms: number): number {
  return ms >= 0 && ms < TIME_SPAN ? ms : ((ms % TIME_SPAN) + TIME_SPAN) % TIME_SPAN;
}

/** a − b modulo 2^32. */
export function timeSub(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** a + b modulo 2^32. */
export function timeAdd(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** @see enet time.h ENET_TIME_LESS */
export function timeLess(a: number, b: number): boolean {
  return timeSub(a, b) >= TIME_OVERFLOW;
}

/** @see enet time.h ENET_TIME_GREATER */
export function timeGreater(a: number, b: number): boolean {
  return timeSub(b, a) >= TIME_OVERFLOW;
}

/** @see enet time.h ENET_TIME_LESS_EQUAL */
export function timeLessEqual(a: number, b: number): boolean {
  return !timeGreater(a, b);
}

/** @see enet time.h ENET_TIME_GREATER_EQUAL */
export function timeGreaterEqual(a: number, b: number): boolean {
  return !timeLess(a, b);
}

/** |a − b| in wrap-aware terms. @see enet time.h ENET_TIME_DIFFERENCE */
export function timeDifference(a: number, b: number): number {
  const d = timeSub(a, b);
  return d >= TIME_OVERFLOW ? timeSub(b, a) : d;
}

/**
 * Rebuilds a full 32-bit timestamp from the low 16 bits echoed in an acknowledgement,
 * assuming it lies at most ~32 s before `now`.
 * @see enet protocol.c enet_protocol_handle_acknowledge (receivedSentTime)
 */
export function expandSentTime(sentTime16: number, now: number): number {
  let t = ((now & 0xffff0000) | (sentTime16 & 0xffff)) >>> 0;
  if ((t & 0x8000) > (now & 0x8000)) t = timeSub(t, 0x10000);
  return t;
}

/** a + 1 modulo 2^16. */
export function seqNext(a: number): number {
  return (a + 1) & 0xffff;
}

/** a − b modulo 2^16 (the forward distance from b to a). */
export function seqSub(a: number, b: number): number {
  return (a - b) & 0xffff;
}
