import { describe, expect, it } from 'vitest';
import { AppCheckError, appCheckGuard } from './app-check.js';

const verifier = {
  verifyToken: async (token: string) => {
    if (token !== 'good') throw Object.assign(new Error('bad'), { code: 'app-check/invalid' });
    return { appId: 'app', token: {} } as never;
  },
};

describe('appCheckGuard', () => {
  it('lets everything through when enforcement is off', async () => {
    await expect(appCheckGuard(verifier, false)(undefined)).resolves.toBeUndefined();
    await expect(appCheckGuard(verifier, false)('junk')).resolves.toBeUndefined();
  });

  it('when on, needs a token that verifies', async () => {
    const guard = appCheckGuard(verifier, true);
    await expect(guard('good')).resolves.toBeUndefined();
    await expect(guard(undefined)).rejects.toThrow(
      /^missing App Check token: send the x-firebase-appcheck header/,
    );
    await expect(guard('junk')).rejects.toThrow(
      new AppCheckError('App Check token rejected (app-check/invalid)'),
    );
  });
});
