/**
 * `tsx terraform/derive-provider-schema.ts ASSEMBLY.jsii SOURCE OUT.json`: writes the schema of
 * every resource and data source of one provider, derived from its cdktn jsii assembly (see
 * provider-schema.ts). Run by scripts/setup-terraform.sh; the result is what
 * `npm run check:terraform` checks the configuration against.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type JsiiAssembly, schemaFromJsii } from './provider-schema.js';

const [assemblyPath, source, outPath] = process.argv.slice(2);
if (!assemblyPath || !source || !outPath) {
  console.error('usage: derive-provider-schema.ts ASSEMBLY.jsii SOURCE OUT.json');
  process.exit(2);
}
const assembly = JSON.parse(readFileSync(assemblyPath, 'utf8')) as JsiiAssembly;
const schema = schemaFromJsii(assembly, source);
writeFileSync(outPath, JSON.stringify(schema));
console.error(
  `${schema.provider} ${schema.version}: ${Object.keys(schema.resources).length} resources, ${Object.keys(schema.dataSources).length} data sources -> ${outPath}`,
);
