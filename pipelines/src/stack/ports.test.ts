import { describe, expect, it } from 'vitest';
import { freePorts, isPortFree } from './ports.js';

describe('freePorts', () => {
  it('gives as many different ports as asked, each free once given', async () => {
    const ports = await freePorts(30);
    expect(ports).toHaveLength(30);
    expect(new Set(ports).size).toBe(30);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
  });
});
