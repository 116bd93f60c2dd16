import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getReferencesInExpression, parse } from '@cdktf/hcl2json';

/**
 * A Terraform configuration read statically: every `.tf` file of one directory parsed to JSON
 * by HashiCorp's HCL parser (compiled to WebAssembly in @cdktf/hcl2json), then indexed by what
 * it declares. Needs neither `terraform` nor `terraform init`, so it runs in the unit tests.
 *
 * In the JSON, blocks are arrays of bodies (`resource.google_x.y[0]`) and every expression
 * that is not a literal is a string wrapped in `${...}`.
 */

export type Body = Record<string, unknown>;

export interface Block {
  /** `google_pubsub_topic.ratings`, `data.archive_file.x`, `var.region`, `local.labels`, … */
  address: string;
  file: string;
  body: Body;
}

export interface Configuration {
  directory: string;
  files: string[];
  resources: Map<string, Block>;
  dataSources: Map<string, Block>;
  variables: Map<string, Block>;
  locals: Map<string, Block>;
  outputs: Map<string, Block>;
  modules: Map<string, Block>;
  /** `terraform { required_providers { … } }` merged across files. */
  requiredProviders: Map<string, Body>;
  requiredVersion: string | undefined;
}

export async function loadConfiguration(directory: string): Promise<Configuration> {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.tf'))
    .sort();
  const configuration: Configuration = {
    directory,
    files,
    resources: new Map(),
    dataSources: new Map(),
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    modules: new Map(),
    requiredProviders: new Map(),
    requiredVersion: undefined,
  };
  for (const file of files) {
    const json = await parseFile(file, readFileSync(join(directory, file), 'utf8'));
    indexFile(configuration, file, json);
  }
  return configuration;
}

/** Parses one file; a syntax error becomes an error that names the file. */
export async function parseFile(file: string, text: string): Promise<Body> {
  try {
    return await parse(file, text);
  } catch (error) {
    throw new Error(`${file} does not parse as HCL: ${String(error)}`);
  }
}

function indexFile(configuration: Configuration, file: string, json: Body): void {
  const add = (map: Map<string, Block>, address: string, body: Body) => {
    const existing = map.get(address);
    if (existing) {
      throw new Error(`${address} is declared twice: in ${existing.file} and in ${file}`);
    }
    map.set(address, { address, file, body });
  };
  for (const [type, byName] of entries(json.resource)) {
    for (const [name, bodies] of entries(byName)) {
      add(configuration.resources, `${type}.${name}`, only(bodies));
    }
  }
  for (const [type, byName] of entries(json.data)) {
    for (const [name, bodies] of entries(byName)) {
      add(configuration.dataSources, `data.${type}.${name}`, only(bodies));
    }
  }
  for (const [kind, map, prefix] of [
    ['variable', configuration.variables, 'var'],
    ['output', configuration.outputs, 'output'],
    ['module', configuration.modules, 'module'],
  ] as const) {
    for (const [name, bodies] of entries(json[kind])) {
      add(map, `${prefix}.${name}`, only(bodies));
    }
  }
  for (const localsBlock of asArray(json.locals)) {
    for (const [name, value] of entries(localsBlock)) {
      add(configuration.locals, `local.${name}`, { value });
    }
  }
  for (const terraformBlock of asArray(json.terraform)) {
    const block = terraformBlock as Body;
    if (typeof block.required_version === 'string') {
      configuration.requiredVersion = block.required_version;
    }
    for (const providers of asArray(block.required_providers)) {
      for (const [name, requirement] of entries(providers)) {
        configuration.requiredProviders.set(name, requirement as Body);
      }
    }
  }
}

/** Every `${…}` expression string inside a value, with the attribute path it sits at. */
export function expressionsIn(value: unknown, path = ''): Array<{ path: string; text: string }> {
  if (typeof value === 'string') {
    return value.includes('${') ? [{ path, text: value }] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => expressionsIn(item, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      expressionsIn(item, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

/** The traversals (`var.x`, `google_x.y.attr.0`) an expression string refers to. */
export async function referencesIn(text: string): Promise<string[]> {
  const references = await getReferencesInExpression('expression.tf', asTemplateLiteral(text));
  return references.map((reference) => reference.value);
}

/**
 * Turns a string as hcl2json gives it back into an HCL quoted template: quotes and
 * backslashes of the literal parts are escaped again, the `${…}` parts are kept as they are.
 */
export function asTemplateLiteral(text: string): string {
  let quoted = '"';
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (depth === 0) {
      if (char === '$' && text[index + 1] === '{') {
        depth = 1;
        quoted += '${';
        index += 1;
      } else {
        quoted += char === '"' || char === '\\' ? `\\${char}` : char;
      }
      continue;
    }
    if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
    }
    quoted += char;
  }
  return `${quoted}"`;
}

/** Names that need no declaration: path.module, each.value, count.index, self.x, terraform.workspace. */
const BUILT_IN_ROOTS = new Set(['path', 'each', 'count', 'self', 'terraform']);

/**
 * Whether a reference names something the configuration declares, or a built-in. Attributes
 * after the address are not checked: that needs the providers' schemas, which only
 * `terraform validate` has.
 */
export function resolves(configuration: Configuration, reference: string): boolean {
  const parts = reference.split('.');
  const [root, first, second] = parts;
  if (root === undefined || BUILT_IN_ROOTS.has(root)) {
    return true;
  }
  switch (root) {
    case 'var':
      return configuration.variables.has(`var.${first}`);
    case 'local':
      return configuration.locals.has(`local.${first}`);
    case 'module':
      return configuration.modules.has(`module.${first}`);
    case 'data':
      return configuration.dataSources.has(`data.${first}.${second}`);
    default:
      return parts.length >= 2 && configuration.resources.has(`${root}.${withoutKey(first)}`);
  }
}

/** `function["rate_movie"]` → `function`: the instance key of a for_each resource. */
function withoutKey(name: string | undefined): string {
  return (name ?? '').replace(/\[.*$/, '');
}

/**
 * The resource address at the start of a reference, or undefined: `type.name`, or
 * `type.name["key"]` for one instance of a for_each resource.
 */
export function resourceAddressOf(reference: string): string | undefined {
  // hcl2json writes an instance key as a segment of its own: `type.name."key".attr`.
  const [type, name, key] = reference.split('.');
  if (type === undefined || name === undefined || BUILT_IN_ROOTS.has(type)) {
    return undefined;
  }
  if (['var', 'local', 'module', 'data'].includes(type)) {
    return undefined;
  }
  return `${type}.${name}${key?.startsWith('"') ? `[${key}]` : ''}`;
}

/** Resources of one type, for_each resources expanded to their instances. */
export function resourcesOfType(configuration: Configuration, type: string): Block[] {
  return [...configuration.resources.values()]
    .filter((block) => block.address.startsWith(`${type}.`))
    .flatMap((block) => instancesOf(configuration, block));
}

/** A resource, or one instance (`type.name["key"]`) of a for_each resource. */
export function resourceAt(configuration: Configuration, address: string): Block | undefined {
  const declared = configuration.resources.get(address.replace(/\[.*$/, ''));
  return declared
    ? instancesOf(configuration, declared).find((block) => block.address === address)
    : undefined;
}

/**
 * The instances of a resource: itself, or, when `for_each` is a map literal held in a local, one
 * block per key with `each.key` and `each.value.x` replaced by that entry's values.
 */
export function instancesOf(configuration: Configuration, block: Block): Block[] {
  const forEach = /^\$\{(local\.\w+)\}$/.exec(String(block.body.for_each ?? ''));
  if (block.body.for_each === undefined) {
    return [block];
  }
  const map = forEach ? configuration.locals.get(forEach[1] ?? '')?.body.value : undefined;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    // A set, or a computed map: its keys are not known before a plan.
    return [block];
  }
  return Object.entries(map as Body).map(([key, entry]) => {
    const { for_each: _, ...body } = block.body;
    return {
      address: `${block.address}["${key}"]`,
      file: block.file,
      body: substituteEach(body, key, entry as Body) as Body,
    };
  });
}

function substituteEach(value: unknown, key: string, entry: Body): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{each\.value\.(\w+)\}$/.exec(value);
    if (whole) {
      return entry[whole[1] ?? ''];
    }
    return value
      .replace(/\$\{each\.key\}/g, key)
      .replace(/each\.value\.(\w+)/g, (_, name: string) => expressionOf(entry[name]));
  }
  if (Array.isArray(value)) {
    return value.map((item) => substituteEach(item, key, entry));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, substituteEach(item, key, entry)]),
    );
  }
  return value;
}

/** A value of a map literal as HCL expression text, to put inside another expression. */
function expressionOf(value: unknown): string {
  if (typeof value === 'string') {
    const wrapped = /^\$\{([\s\S]*)\}$/.exec(value);
    return wrapped ? `(${wrapped[1]})` : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** The first body of a nested block (`build_config`, `push_config`, …), or undefined. */
export function nested(body: Body | undefined, name: string): Body | undefined {
  const value = body?.[name];
  return Array.isArray(value) ? (value[0] as Body | undefined) : undefined;
}

function entries(value: unknown): Array<[string, unknown]> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value)
    : [];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function only(bodies: unknown): Body {
  const list = asArray(bodies);
  if (list.length !== 1) {
    throw new Error(`expected one block body, found ${list.length}`);
  }
  return list[0] as Body;
}
