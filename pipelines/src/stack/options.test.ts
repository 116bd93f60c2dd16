import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from './emulators.js';
import { parseStackArgs, portFlag, portVariable, UsageError } from './options.js';

describe('parseStackArgs', () => {
  it('defaults to reusing the kept state on the default ports', () => {
    expect(parseStackArgs([], {})).toEqual({
      fresh: false,
      ports: DEFAULT_PORTS,
      stateDir: '.reel/stack',
      site: true,
      help: false,
    });
  });

  it('names flags and variables after the ports', () => {
    expect(portFlag('bigqueryGrpc')).toBe('--port-bigquery-grpc');
    expect(portVariable('authHub')).toBe('REEL_PORT_AUTH_HUB');
  });

  it('takes ports from flags over variables over defaults', () => {
    const options = parseStackArgs(['--port-pubsub=18085', '--fresh', '--state-dir=/tmp/s'], {
      REEL_PORT_PUBSUB: '28085',
      REEL_PORT_FIRESTORE: '28080',
      REEL_STATE_DIR: '/tmp/other',
    });
    expect(options.fresh).toBe(true);
    expect(options.stateDir).toBe('/tmp/s');
    expect(options.ports).toEqual({ ...DEFAULT_PORTS, pubsub: 18085, firestore: 28080 });
  });

  it("takes the functions' and the site's ports, a ratings file and --no-site", () => {
    const options = parseStackArgs(
      ['--port-api=18090', '--port-site=14321', '--ratings=r.csv', '--no-site'],
      { REEL_PORT_INGEST_RATING: '18091' },
    );
    expect(options.ports).toMatchObject({ api: 18090, ingestRating: 18091, site: 14321 });
    expect(options.ratings).toBe('r.csv');
    expect(options.site).toBe(false);
  });

  it.each([
    [['--port-pubsub=http'], {}, '--port-pubsub must be a port number from 1 to 65535, got "http"'],
    [
      [],
      { REEL_PORT_AUTH: '70000' },
      'REEL_PORT_AUTH must be a port number from 1 to 65535, got "70000"',
    ],
    [['--port-pubsub'], {}, 'unknown or incomplete argument "--port-pubsub"'],
    [['--fresh=yes'], {}, 'unknown or incomplete argument "--fresh=yes"'],
    [
      ['--port-storage=8080'],
      {},
      '--port-firestore and --port-storage are both 8080; give each its own port',
    ],
  ])('rejects %j %j with a message that says what to do', (argv, env, message) => {
    expect(() => parseStackArgs(argv, env)).toThrow(UsageError);
    expect(() => parseStackArgs(argv, env)).toThrow(message);
  });
});
