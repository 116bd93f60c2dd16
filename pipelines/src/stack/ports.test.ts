import { describe, expect, it } from 'vitest';
import { freePorts, isPortFree } from './ports.js';

describe('freePorts', () => {
  it('gives each name its own port, each free once given', async () => {
    const names = Array.from({ length: 30 }, (_, n) => `server${n}`);
    const ports = Object.values(await freePorts(names));
    expect(ports).toHaveLength(30);
    expect(new Set(ports).size).toBe(30);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
  });
});
