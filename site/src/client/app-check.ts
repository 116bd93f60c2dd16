// Firebase App Check for the site, in a chunk of its own: live.ts imports it only when the
// build has a reCAPTCHA Enterprise site key, so builds without one (local, tests) load none of it.
import type { FirebaseApp } from 'firebase/app';
import { getToken, initializeAppCheck, ReCaptchaEnterpriseProvider } from 'firebase/app-check';

/**
 * Starts App Check on `app`; Firestore and Auth attach its token to their requests themselves
 * from then on. Returns where API calls get the token: null when none could be had, so the call
 * still goes out and the API decides (it only refuses while enforcement is on).
 */
export function startAppCheck(app: FirebaseApp, siteKey: string): () => Promise<string | null> {
  const appCheck = initializeAppCheck(app, {
    provider: new ReCaptchaEnterpriseProvider(siteKey),
    isTokenAutoRefreshEnabled: true,
  });
  return async () => {
    try {
      return (await getToken(appCheck)).token;
    } catch (error) {
      console.warn('[reel] no App Check token:', error);
      return null;
    }
  };
}
