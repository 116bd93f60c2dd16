import { describe, expect, it } from 'vitest';
import { byArea, ownerOf, summariseProfile } from './profile-summary.js';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('ownerOf', () => {
  it('names npm packages, scoped or not, Node itself and project directories', () => {
    expect(ownerOf(frame('x', 'file:///r/node_modules/@grpc/grpc-js/build/src/call.js'))).toBe(
      '@grpc/grpc-js',
    );
    expect(ownerOf(frame('x', 'file:///r/node_modules/a/node_modules/node-fetch/src/i.js'))).toBe(
      'node-fetch',
    );
    expect(ownerOf(frame('emit', 'node:events'))).toBe('node');
    expect(ownerOf(frame('f', 'file:///r/functions/src/adapters/firestore.ts'))).toBe(
      'functions/src/adapters',
    );
    expect(ownerOf(frame('f', 'file:///r/functions/dist/adapters/firestore.js'))).toBe(
      'functions/src/adapters',
    );
    expect(ownerOf(frame('f', 'file:///r/.reel/function-server/function-server.js'))).toBe(
      'pipelines/src/stack',
    );
    expect(ownerOf(frame('(garbage collector)', ''))).toBe('(garbage collector)');
  });
});

describe('summariseProfile', () => {
  // root → project handler → firestore → grpc-js → node:net; root → idle; root → GC. The last
  // sample has no duration (nothing follows it).
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 7] },
      { id: 2, callFrame: frame('handle', 'file:///r/functions/src/usecases/u.ts'), children: [3] },
      {
        id: 3,
        callFrame: frame('get', 'file:///r/node_modules/@google-cloud/firestore/i.js'),
        children: [4],
      },
      {
        id: 4,
        callFrame: frame('call', 'file:///r/node_modules/@grpc/grpc-js/c.js'),
        children: [5],
      },
      { id: 5, callFrame: frame('writev', 'node:net') },
      { id: 6, callFrame: frame('(idle)', '') },
      { id: 7, callFrame: frame('(garbage collector)', '') },
    ],
    startTime: 0,
    // Samples at 0, 1, 2, 3, 4 s (deltas in µs); each lasts until the next.
    samples: [5, 5, 6, 7, 7],
    timeDeltas: [0, 1e6, 1e6, 1e6, 1e6],
  };

  it('gives busy time to the innermost non-Node code and to the library the project called', () => {
    const summary = summariseProfile(profile);
    expect(summary.idleMs).toBe(1000);
    expect(summary.busyMs).toBe(3000);
    expect(Object.fromEntries(summary.byCode)).toEqual({
      '@grpc/grpc-js': 2000,
      '(garbage collector)': 1000,
    });
    expect(Object.fromEntries(summary.byEntry)).toEqual({
      '@google-cloud/firestore': 2000,
      '(garbage collector)': 1000,
    });
  });

  it('groups the libraries called into the areas docs/capacity.md reports', () => {
    expect(Object.fromEntries(byArea(summariseProfile(profile)))).toEqual({
      'Firestore client (firestore)': 2000,
      'GC and V8': 1000,
    });
  });

  it('keeps only the samples inside the window', () => {
    const summary = summariseProfile(profile, 0.5, 2.5);
    expect(summary.busyMs).toBe(1000);
    expect(summary.idleMs).toBe(1000);
  });
});
