// The API page's content, read from the api function's OpenAPI document at build time: one
// entry per operation, in the document's order, with what a caller needs to call it.

export interface ApiParameter {
  name: string;
  in: string;
  required: boolean;
  description: string;
  type: string;
}

export interface ApiOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  /** Needs a Firebase ID token. */
  signedIn: boolean;
  parameters: ApiParameter[];
  /** The request body's schema name, if it takes one. */
  body: string | null;
  responses: { status: string; description: string }[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function typeOf(schema: unknown): string {
  if (!isObject(schema)) return '';
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return '';
}

function refName(schema: unknown): string | null {
  if (isObject(schema) && typeof schema.$ref === 'string') return schema.$ref.split('/').at(-1)!;
  return null;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The operations of an OpenAPI 3.1 document, as the API page lists them. */
export function apiOperations(document: unknown): ApiOperation[] {
  if (!isObject(document) || !isObject(document.paths)) {
    throw new Error('the OpenAPI document has no paths');
  }
  const globalSecurity = Array.isArray(document.security) && document.security.length > 0;
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const security = Array.isArray(operation.security) ? operation.security : undefined;
      const parameters = (Array.isArray(operation.parameters) ? operation.parameters : [])
        .filter(isObject)
        .map((parameter) => ({
          name: String(parameter.name),
          in: String(parameter.in),
          required: parameter.required === true,
          description: typeof parameter.description === 'string' ? parameter.description : '',
          type: typeOf(parameter.schema),
        }));
      const content = isObject(operation.requestBody) ? operation.requestBody.content : undefined;
      const json = isObject(content) ? content['application/json'] : undefined;
      const responses = isObject(operation.responses) ? operation.responses : {};
      operations.push({
        id: typeof operation.operationId === 'string' ? operation.operationId : `${method}${path}`,
        method: method.toUpperCase(),
        path,
        summary: typeof operation.summary === 'string' ? operation.summary : '',
        description: typeof operation.description === 'string' ? operation.description : '',
        signedIn: security ? security.length > 0 : globalSecurity,
        parameters,
        body: isObject(json) ? (refName(json.schema) ?? typeOf(json.schema)) : null,
        responses: Object.entries(responses).map(([status, response]) => ({
          status,
          description:
            isObject(response) && typeof response.description === 'string'
              ? response.description
              : '',
        })),
      });
    }
  }
  return operations;
}
