import { createRequire } from 'node:module';

// A CommonJS module whose class is `exports.default`: required, so no ESM interop guesses.
const { default: OpenAPIResponseValidator } = createRequire(import.meta.url)(
  'openapi-response-validator',
) as typeof import('openapi-response-validator');

/** The parts of an OpenAPI document the response check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
  components?: Record<string, unknown>;
}

interface OpenApiResponse {
  content?: Record<string, unknown>;
}

/**
 * Checks one response against the OpenAPI document: its status is documented for the
 * operation, its media type is the documented one, and its body validates against the
 * documented schema (openapi-response-validator, Ajv underneath). Returns what is wrong, or an
 * empty list.
 */
export function responseProblems(
  document: OpenApiDocument,
  method: string,
  pathTemplate: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string[] {
  const operation = document.paths[pathTemplate]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${pathTemplate} is not in the document`];
  const documented = operation.responses[String(status)];
  if (!documented) {
    return [`${method} ${pathTemplate} does not document status ${status}`];
  }
  const problems: string[] = [];
  const mediaTypes = Object.keys(documented.content ?? {});
  const mediaType = contentType?.split(';')[0]?.trim() ?? null;
  if (mediaTypes.length > 0 && (mediaType === null || !mediaTypes.includes(mediaType))) {
    problems.push(`${status} is documented as ${mediaTypes.join(', ')}, served as ${mediaType}`);
  }
  if (mediaTypes.length === 0 && body !== undefined) {
    problems.push(`${status} is documented without a body, served with one`);
  }
  const validator = new OpenAPIResponseValidator({
    responses: operation.responses as never,
    components: document.components as never,
  });
  const invalid = validator.validateResponse(status, body ?? null);
  if (invalid) {
    problems.push(
      ...invalid.errors.map(
        (error: { path: string; message: string }) => `${error.path}: ${error.message}`,
      ),
    );
  }
  return problems;
}
