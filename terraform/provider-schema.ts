/**
 * The google and google-beta provider schemas, derived from the jsii assemblies that CDK Terrain
 * generates from them (PyPI's cdktn-provider-google and cdktn-provider-google-beta: one wheel per
 * provider release, holding `provider-google@N.jsii.tgz`, whose `.jsii` JSON describes every
 * resource and data source). Terraform's own `providers schema -json` needs the provider binary,
 * which cannot be downloaded where this runs; the assembly is generated from exactly that output.
 *
 * In the assembly a resource is a class (base cdktn.TerraformResource or TerraformDataSource)
 * whose constructor takes a `…Config` struct: its properties are the arguments and blocks, each
 * documented with a registry link ending in `#terraform_name`. What can be read back
 * (`google_x.y.attr`, computed ones included) are the class's getters; a block's are the getters
 * of its `…OutputReference` (or, for a list of blocks, of the `…List`'s `get(i)` result).
 */

/** What a block (a resource's body, or a nested block) accepts and exposes. */
export interface BlockSchema {
  /** Arguments by Terraform name, and whether each is required. */
  arguments: Record<string, { required: boolean }>;
  /** Nested blocks by Terraform name. */
  blocks: Record<string, { required: boolean; block: BlockSchema }>;
  /** Attributes that can be read (arguments and computed ones); nested blocks by their own. */
  attributes: Record<string, ReadableAttribute>;
  /** Set on a block whose struct contains itself; its content is not checked. */
  recursive?: true;
}

/** `true`: a value (a string, a number, a map or list of them); an object: a nested block. */
export type ReadableAttribute = true | { [name: string]: ReadableAttribute };

export interface ProviderSchema {
  provider: string;
  version: string;
  /** Where it came from: the PyPI package and version. */
  source: string;
  resources: Record<string, BlockSchema>;
  dataSources: Record<string, BlockSchema>;
}

interface JsiiTypeReference {
  primitive?: string;
  fqn?: string;
  collection?: { kind: 'array' | 'map'; elementtype: JsiiTypeReference };
  union?: { types: JsiiTypeReference[] };
}

interface JsiiProperty {
  name: string;
  type: JsiiTypeReference;
  optional?: boolean;
  static?: boolean;
  docs?: { summary?: string; remarks?: string };
}

interface JsiiType {
  fqn: string;
  kind: 'class' | 'interface' | 'enum';
  base?: string;
  datatype?: boolean;
  docs?: { summary?: string };
  initializer?: { parameters?: Array<{ name: string; type: JsiiTypeReference }> };
  properties?: JsiiProperty[];
  methods?: Array<{ name: string; returns?: { type: JsiiTypeReference } }>;
}

export interface JsiiAssembly {
  name: string;
  version: string;
  types: Record<string, JsiiType>;
}

const REGISTRY_LINK =
  /registry\.terraform\.io\/providers\/hashicorp\/([\w-]+)\/(\d+\.\d+\.\d+)\/docs\/(resources|data-sources)\/(\w+)(?:#(\w+))?/;

/** Builds the schema of every resource and data source in a provider's jsii assembly. */
export function schemaFromJsii(assembly: JsiiAssembly, source: string): ProviderSchema {
  let provider: string | undefined;
  let version: string | undefined;
  const resources: Record<string, BlockSchema> = {};
  const dataSources: Record<string, BlockSchema> = {};
  for (const type of Object.values(assembly.types)) {
    const isResource = type.base === 'cdktn.TerraformResource';
    if (!isResource && type.base !== 'cdktn.TerraformDataSource') {
      continue;
    }
    const link = REGISTRY_LINK.exec(type.docs?.summary ?? '');
    const name = /\{@link \S+ ([\w]+)\}/.exec(type.docs?.summary ?? '')?.[1];
    const config = type.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
    if (!link || !name || !config) {
      throw new Error(`${type.fqn}: no registry link, Terraform name or config struct in its docs`);
    }
    provider ??= link[1];
    version ??= link[2];
    if (link[1] !== provider || link[2] !== version) {
      throw new Error(
        `${type.fqn}: documented for ${link[1]} ${link[2]}, not ${provider} ${version}`,
      );
    }
    const schema = blockSchema(assembly, config, type.fqn);
    // Every resource can be read by its id, which the config struct may not declare.
    schema.attributes.id ??= true;
    (isResource ? resources : dataSources)[name] = schema;
  }
  if (!provider || !version) {
    throw new Error(`${assembly.name}: no resources found in the assembly`);
  }
  return { provider, version, source, resources, dataSources };
}

function blockSchema(
  assembly: JsiiAssembly,
  structFqn: string,
  readerFqn: string,
  enclosing: ReadonlySet<string> = new Set(),
): BlockSchema {
  const schema: BlockSchema = { arguments: {}, blocks: {}, attributes: {} };
  if (enclosing.has(structFqn)) {
    return { ...schema, recursive: true };
  }
  const struct = typeOf(assembly, structFqn);
  const path = new Set([...enclosing, structFqn]);
  for (const property of struct.properties ?? []) {
    const name = terraformName(property);
    const nestedStruct = structOf(assembly, property.type);
    if (nestedStruct) {
      schema.blocks[name] = {
        required: property.optional !== true,
        block: blockSchema(
          assembly,
          nestedStruct,
          readerOf(assembly, readerFqn, property.name),
          path,
        ),
      };
    } else {
      schema.arguments[name] = { required: property.optional !== true };
    }
  }
  schema.attributes = readableAttributes(assembly, readerFqn);
  return schema;
}

/** The getters of a resource class or an output reference, by Terraform name. */
function readableAttributes(
  assembly: JsiiAssembly,
  readerFqn: string,
  seen: Set<string> = new Set(),
): Record<string, ReadableAttribute> {
  const attributes: Record<string, ReadableAttribute> = {};
  const reader = assembly.types[readerFqn];
  if (!reader || seen.has(readerFqn)) {
    return attributes;
  }
  seen.add(readerFqn);
  for (const property of reader.properties ?? []) {
    if (
      property.static ||
      property.name.endsWith('Input') ||
      property.name === 'internalValue' ||
      property.name === 'fqn'
    ) {
      continue;
    }
    const nested = outputReferenceOf(assembly, property.type);
    attributes[snakeCase(property.name)] = nested
      ? readableAttributes(assembly, nested, new Set(seen))
      : true;
  }
  return attributes;
}

/** The output reference type of a getter: itself, or the item type of a `…List`. */
function outputReferenceOf(assembly: JsiiAssembly, type: JsiiTypeReference): string | undefined {
  const fqn = type.fqn;
  if (!fqn?.startsWith(`${assembly.name}.`)) {
    return undefined;
  }
  const target = assembly.types[fqn];
  if (target?.base === 'cdktn.ComplexObject') {
    return fqn;
  }
  if (target?.base === 'cdktn.ComplexList') {
    return target.methods?.find((method) => method.name === 'get')?.returns?.type.fqn;
  }
  return undefined;
}

/** The reader of a nested block: the getter of the same name on the parent's reader. */
function readerOf(assembly: JsiiAssembly, parentFqn: string, property: string): string {
  const getter = assembly.types[parentFqn]?.properties?.find((p) => p.name === property);
  return (getter && outputReferenceOf(assembly, getter.type)) ?? '';
}

/** The struct a property's type is (a block), directly or as a list/union of them. */
function structOf(assembly: JsiiAssembly, type: JsiiTypeReference): string | undefined {
  if (type.fqn) {
    return assembly.types[type.fqn]?.datatype ? type.fqn : undefined;
  }
  if (type.collection) {
    return structOf(assembly, type.collection.elementtype);
  }
  for (const member of type.union?.types ?? []) {
    const struct = structOf(assembly, member);
    if (struct) {
      return struct;
    }
  }
  return undefined;
}

function typeOf(assembly: JsiiAssembly, fqn: string): JsiiType {
  const type = assembly.types[fqn];
  if (!type) {
    throw new Error(`${fqn} is not in the assembly`);
  }
  return type;
}

/** The Terraform name of a config property, from its registry link; camelCase undone if none. */
function terraformName(property: JsiiProperty): string {
  const link = REGISTRY_LINK.exec(property.docs?.remarks ?? '');
  return link?.[5] ?? snakeCase(property.name);
}

/** `serviceConfig` → `service_config`, `ipv4Address` → `ipv4_address`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
