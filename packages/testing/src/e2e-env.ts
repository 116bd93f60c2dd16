import { inject } from 'vitest';

// The browser test reads where the site is from REEL_SITE_URL (e2e-setup.ts started it).
process.env.REEL_SITE_URL = inject('siteUrl');
