/**
 * The address a request came from, as the proxies in front of the function present it.
 *
 * Each proxy appends to X-Forwarded-For the address it received the request from, after
 * whatever the client sent. With `proxies` proxies in front of the function (Firebase Hosting,
 * then Cloud Run's front end: 2), the client is the `proxies`-th entry from the right; entries
 * left of it are the client's own words and are ignored, so a client cannot choose its
 * address. With fewer entries (a direct call to the run.app URL: one proxy), the leftmost; with
 * no header (locally, no proxy), the socket's peer.
 */
export function clientAddress(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  proxies: number,
): string {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  if (hops.length > 0) return hops[Math.max(0, hops.length - proxies)]!;
  return socketAddress?.replace(/^::ffff:/, '') || 'unknown';
}
