/**
 * Writes the api function's OpenAPI 3.1 document, generated from the zod schemas its routes
 * validate with: `npm run lint:openapi` lints it, the site's API page renders it.
 *   node --import tsx pipelines/src/cli/openapi.ts [FILE]   (stdout without FILE)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openApiDocument } from '@reel/functions/api';

const [file] = process.argv.slice(2);
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (file) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stderr.write(`OpenAPI document written to ${file}\n`);
} else process.stdout.write(text);
