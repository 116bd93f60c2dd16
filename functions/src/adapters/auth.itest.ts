import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationError, verifyIdToken } from './auth.js';

const { auth, close } = testClients();
afterAll(close);

/** Anonymous sign-up through the Auth emulator's REST API, as the site's SDK does it. */
async function signUpAnonymously(): Promise<{ idToken: string; localId: string }> {
  const response = await fetch(
    `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnSecureToken: true }),
    },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { idToken: string; localId: string };
}

describe('verifyIdToken (against the Auth emulator)', () => {
  it('returns the uid of a signed-in user', async () => {
    const { idToken, localId } = await signUpAnonymously();
    expect(await verifyIdToken(auth, `Bearer ${idToken}`)).toBe(localId);
  });

  it('rejects a token that is not one, and a missing header, with a clear error', async () => {
    await expect(verifyIdToken(auth, 'Bearer not-a-token')).rejects.toThrow(
      /^ID token rejected \(auth\/argument-error\): sign in again$/,
    );
    await expect(verifyIdToken(auth, undefined)).rejects.toBeInstanceOf(AuthenticationError);
  });
});
