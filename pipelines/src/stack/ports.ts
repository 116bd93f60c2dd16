import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Resolves true if nothing listens on `port` of 127.0.0.1 (we could bind it). */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * A port the OS says is free now for each name, all different: each stays bound until the last
 * is chosen (ports asked for one after another, each released first, can come back alike).
 * Another process may take one before its server binds it; rare enough.
 */
export async function freePorts<Name extends string>(
  names: readonly Name[],
  host = LOOPBACK,
): Promise<Record<Name, number>> {
  const servers: Server[] = [];
  try {
    for (const _ of names) servers.push(await listenOnAnyPort(host));
    const ports = {} as Record<Name, number>;
    for (const [n, name] of names.entries()) {
      const address = servers[n]!.address();
      ports[name] = typeof address === 'object' && address ? address.port : 0;
    }
    return ports;
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

function listenOnAnyPort(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => resolve(server));
  });
}
