/** A running measurement of this thread's longest event-loop stall; stop() ends it and returns the stall in ms. */
export interface StallMeter {
  stop(): number;
}

/**
 * Measures the longest gap between 10 ms ticks of the extension host's event loop from now until stop(): work
 * done on the host's thread (a key derivation, a large parse) shows as a gap that long, during which every
 * extension, hover and command waits.
 */
export function startStallMeter(): StallMeter {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(tick);
      // The gap still open counts too: work that ends just before stop() is a stall all the same.
      return Math.round(Math.max(longest, performance.now() - last));
    },
  };
}
