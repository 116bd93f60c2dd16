import { beforeAll, inject } from 'vitest';
import { testClients } from './clients.js';

// Runs in every integration test worker before the tests: the official clients read their
// emulator variables from process.env, so the workers need them there.
Object.assign(process.env, inject('emulatorEnv'));

// The files run one at a time and share the emulators' global documents: a republish in one
// file leaves movies/* and public/popular on its own model serial, which a later file's lower
// serial would (rightly) never overwrite. Each file starts without them.
beforeAll(async () => {
  const { firestore, close } = testClients();
  try {
    await firestore.recursiveDelete(firestore.collection('movies'));
    await firestore.doc('public/popular').delete();
  } finally {
    await close();
  }
});
