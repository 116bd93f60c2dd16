/**
 * Polls `check` until it returns a value (not undefined) and returns it; throws, naming `what`,
 * when `timeoutMs` passes first. For tests that wait on something eventually consistent.
 */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  { what = 'condition', timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
