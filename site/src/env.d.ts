/// <reference types="astro/client" />
import type { ClientConfig } from './config.ts';

declare global {
  /** Inlined by astro.config.ts from the build environment (see config.ts). */
  const __REEL_CLIENT_CONFIG__: ClientConfig;
  /** Absolute path of the repository, for build-time defaults. */
  const __REEL_REPO_ROOT__: string;
}
