/** Polls `predicate` until it holds; rejects after `limitMs` real milliseconds (a bound, not a timing assertion). */
export async function waitFor(predicate: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
