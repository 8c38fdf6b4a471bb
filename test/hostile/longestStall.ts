/**
 * Runs `work` while measuring the longest gap between 10 ms ticks of this thread's event loop: decoding a
 * hostile file on this thread shows as a stall of seconds, in a worker as none. Used by the decoding worker's
 * unit tests and by the extension-host suite (on the extension host's thread).
 */
export async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = Date.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work();
    // The gap still open counts too: work that blocks and then finishes before the next tick is a stall all the same.
    return { value, stallMs: Math.max(stallMs, Date.now() - last) };
  } finally {
    clearInterval(tick);
  }
}
