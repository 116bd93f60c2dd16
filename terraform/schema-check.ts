/**
 * Checks a Terraform configuration against provider schemas (provider-schema.ts), as
 * `terraform validate` would with the providers installed: every resource and data source type
 * exists, every argument and nested block is one the type declares, required ones are set, and
 * every reference to a resource's or data source's attribute names one it exposes.
 */
import {
  type Block,
  type Body,
  type Configuration,
  expressionsIn,
  referencesIn,
} from './configuration.js';
import type { BlockSchema, ProviderSchema, ReadableAttribute } from './provider-schema.js';

/** Meta-arguments Terraform itself handles, in a resource or data source body. */
const META_ARGUMENTS = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);

export interface SchemaCheckResult {
  /** What does not match, one line each: `file: address.path: what`. */
  errors: string[];
  /** Resource and data source blocks checked. */
  checkedBlocks: number;
  /** References to attributes checked. */
  checkedReferences: number;
  /** Blocks of providers with no schema given (`archive_file`), by address. */
  unchecked: string[];
}

export async function checkAgainstSchemas(
  configuration: Configuration,
  schemas: Record<string, ProviderSchema>,
): Promise<SchemaCheckResult> {
  const result: SchemaCheckResult = {
    errors: [],
    checkedBlocks: 0,
    checkedReferences: 0,
    unchecked: [],
  };
  const kinds = [
    { blocks: configuration.resources, kind: 'resources' as const, prefix: '' },
    { blocks: configuration.dataSources, kind: 'dataSources' as const, prefix: 'data.' },
  ];
  for (const { blocks, kind, prefix } of kinds) {
    for (const block of blocks.values()) {
      const type = block.address.slice(prefix.length).split('.')[0] ?? '';
      const schema = schemas[providerOf(block, type)];
      if (!schema) {
        result.unchecked.push(block.address);
        continue;
      }
      result.checkedBlocks += 1;
      const typeSchema = schema[kind][type];
      if (!typeSchema) {
        result.errors.push(
          `${block.file}: ${block.address}: ${schema.provider} ${schema.version} has no ${kind === 'resources' ? 'resource' : 'data source'} type ${type}`,
        );
        continue;
      }
      checkBody(typeSchema, block.body, true, `${block.file}: ${block.address}`, result.errors);
    }
  }
  for (const block of allBlocks(configuration)) {
    for (const { path, text } of expressionsIn(block.body)) {
      for (const reference of await referencesIn(text)) {
        const problem = checkReference(configuration, schemas, reference);
        if (problem === undefined) {
          continue;
        }
        result.checkedReferences += 1;
        if (problem) {
          result.errors.push(`${block.file}: ${block.address}.${path}: ${reference}: ${problem}`);
        }
      }
    }
  }
  return result;
}

/** The provider a block belongs to: its `provider` argument, or its type's prefix. */
function providerOf(block: Block, type: string): string {
  const explicit = typeof block.body.provider === 'string' ? block.body.provider : undefined;
  return explicit ? explicit.replace(/^\$\{(.*)\}$/, '$1') : (type.split('_')[0] ?? '');
}

function checkBody(
  schema: BlockSchema,
  body: Body,
  topLevel: boolean,
  where: string,
  errors: string[],
): void {
  if (schema.recursive) {
    return;
  }
  const dynamic = (body.dynamic ?? {}) as Record<string, Body[]>;
  for (const [name, value] of Object.entries(body)) {
    if ((topLevel && META_ARGUMENTS.has(name)) || name === 'dynamic') {
      continue;
    }
    if (schema.arguments[name]) {
      continue;
    }
    const nested = schema.blocks[name];
    if (!nested) {
      errors.push(`${where}: unsupported argument or block "${name}"${suggestion(schema, name)}`);
      continue;
    }
    if (!Array.isArray(value)) {
      errors.push(`${where}: "${name}" is a block, not an argument (write ${name} { … })`);
      continue;
    }
    for (const item of value as Body[]) {
      checkBody(nested.block, item, false, `${where}.${name}`, errors);
    }
  }
  for (const [name, generators] of Object.entries(dynamic)) {
    const nested = schema.blocks[name];
    if (!nested) {
      errors.push(`${where}: dynamic "${name}": no such block${suggestion(schema, name)}`);
      continue;
    }
    for (const generator of generators) {
      for (const content of (generator.content ?? []) as Body[]) {
        checkBody(nested.block, content, false, `${where}.${name}`, errors);
      }
    }
  }
  for (const [name, argument] of Object.entries(schema.arguments)) {
    if (argument.required && !(name in body)) {
      errors.push(`${where}: required argument "${name}" is missing`);
    }
  }
  for (const [name, nested] of Object.entries(schema.blocks)) {
    if (nested.required && !(name in body) && !(name in dynamic)) {
      errors.push(`${where}: required block "${name}" is missing`);
    }
  }
}

/**
 * Checks one reference: undefined when it is not to a checked resource's attribute, '' when it
 * is and the attribute exists, else what is wrong.
 */
function checkReference(
  configuration: Configuration,
  schemas: Record<string, ProviderSchema>,
  reference: string,
): string | undefined {
  const segments = reference.split('.');
  const isData = segments[0] === 'data';
  const [type, name, ...rest] = isData ? segments.slice(1) : segments;
  if (
    !type ||
    !name ||
    (!isData &&
      ['var', 'local', 'module', 'path', 'each', 'count', 'self', 'terraform'].includes(type))
  ) {
    return undefined;
  }
  const block = isData
    ? configuration.dataSources.get(`data.${type}.${name}`)
    : configuration.resources.get(`${type}.${name}`);
  const schema = block ? schemas[providerOf(block, type)] : undefined;
  const typeSchema = schema?.[isData ? 'dataSources' : 'resources'][type];
  if (!block || !typeSchema) {
    // An undeclared address is the reference test's to report; an unknown type is reported above.
    return undefined;
  }
  let path = rest;
  if (block.body.for_each !== undefined || block.body.count !== undefined) {
    if (!path[0] || !/^(".*"|\d+)$/.test(path[0])) {
      // The whole map or list of instances (`values(google_x.y)`): no attribute to check here.
      return '';
    }
    path = path.slice(1);
  }
  let attributes: ReadableAttribute = typeSchema.attributes;
  for (const segment of path) {
    if (attributes === true) {
      return '';
    }
    if (/^(".*"|\d+)$/.test(segment)) {
      continue;
    }
    const next: ReadableAttribute | undefined = attributes[segment];
    if (next === undefined) {
      return `${type} has no attribute "${segment}" here`;
    }
    attributes = next;
  }
  return '';
}

function allBlocks(configuration: Configuration): Block[] {
  return [
    ...configuration.resources.values(),
    ...configuration.dataSources.values(),
    ...configuration.locals.values(),
    ...configuration.outputs.values(),
    ...configuration.variables.values(),
    ...configuration.modules.values(),
  ];
}

/** ` (did you mean "x"?)` for the declared name closest to a misspelt one, if close. */
function suggestion(schema: BlockSchema, name: string): string {
  const candidates = [...Object.keys(schema.arguments), ...Object.keys(schema.blocks)];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4));
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
