import type { Auth } from 'firebase-admin/auth';

/** Why a request carries no usable identity; the api function maps it to 401. */
export class AuthenticationError extends Error {
  constructor(
    readonly kind: 'missing' | 'malformed' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The ID token of an `Authorization: Bearer <token>` header, or an AuthenticationError. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AuthenticationError(
      'missing',
      'missing Authorization header: send "Authorization: Bearer <Firebase ID token>"',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!match) {
    throw new AuthenticationError(
      'malformed',
      'Authorization header must be "Bearer <Firebase ID token>"',
    );
  }
  return match[1]!;
}

/**
 * Verifies a Firebase ID token and returns its uid. Against the Auth emulator
 * (FIREBASE_AUTH_EMULATOR_HOST) firebase-admin accepts the emulator's unsigned tokens.
 */
export async function verifyIdToken(
  auth: Auth,
  authorizationHeader: string | undefined,
): Promise<string> {
  const token = bearerToken(authorizationHeader);
  try {
    const decoded = await auth.verifyIdToken(token);
    return decoded.uid;
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'auth/invalid-id-token';
    throw new AuthenticationError('invalid', `ID token rejected (${code}): sign in again`);
  }
}
