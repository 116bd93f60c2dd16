import type { AppCheck } from 'firebase-admin/app-check';

/** Why a write was refused for want of App Check; the API maps it to 403. */
export class AppCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppCheckError';
  }
}

/** The header the Firebase Web SDK sends the App Check token in. */
export const APP_CHECK_HEADER = 'x-firebase-appcheck';

/**
 * Checks the App Check token of a write when enforcement is on (REEL_APP_CHECK_ENFORCED, set
 * by Terraform's app_check_enforced); when off, every request passes, as locally, where no
 * App Check provider exists.
 */
export function appCheckGuard(
  appCheck: Pick<AppCheck, 'verifyToken'>,
  enforced: boolean,
): (token: string | undefined) => Promise<void> {
  return async (token) => {
    if (!enforced) return;
    if (token === undefined || token.trim() === '') {
      throw new AppCheckError(
        `missing App Check token: send the ${APP_CHECK_HEADER} header from an app registered with App Check`,
      );
    }
    try {
      await appCheck.verifyToken(token.trim());
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'app-check/invalid-argument';
      throw new AppCheckError(`App Check token rejected (${code})`);
    }
  };
}
