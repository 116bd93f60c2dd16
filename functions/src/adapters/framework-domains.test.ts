import domains from 'node:domain';
import { afterEach, describe, expect, it } from 'vitest';
import { push, pushBody, type ServedFunction, serveFunction } from '../testing/serve.js';
import { runRequestsWithoutDomains } from './framework-domains.js';

const inRealDomain = () =>
  (process as unknown as { domain: unknown }).domain instanceof domains.Domain;

describe('runRequestsWithoutDomains', () => {
  let served: ServedFunction | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('runs HTTP requests outside any domain, and answers a rejected promise with a 500', async () => {
    runRequestsWithoutDomains();
    served = await serveFunction({
      http: async (req, res) => {
        if (req.query.fail) throw new Error('handler failed');
        res.json({ inRealDomain: inRealDomain() });
      },
    });
    const answer = await fetch(served.url);
    expect(await answer.json()).toEqual({ inRealDomain: false });
    expect((await fetch(`${served.url}/?fail=1`)).status).toBe(500);
  });

  it('completes CloudEvent requests (204) and fails them when the handler rejects', async () => {
    runRequestsWithoutDomains();
    const seen: boolean[] = [];
    served = await serveFunction({
      cloudEvent: async (event) => {
        seen.push(inRealDomain());
        if (
          (event.data as { message: { attributes: { fail?: string } } }).message.attributes.fail
        ) {
          throw new Error('handler failed');
        }
      },
    });
    expect((await push(served.url, pushBody({ n: 1 }))).status).toBe(204);
    expect((await push(served.url, pushBody({ n: 2 }, { fail: 'yes' }))).status).toBe(500);
    expect(seen).toEqual([false, false]);
  });
});
