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
 * `count` ports the OS says are free now, all different: each stays bound until the last is
 * chosen (ports asked for one after another, each released first, can come back alike).
 */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let n = 0; n < count; n++) servers.push(await listenOnAnyPort(host));
    return servers.map((server) => {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
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
