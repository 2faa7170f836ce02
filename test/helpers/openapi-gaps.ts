import type { OpenAPIV3 } from 'openapi-types';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function jsonSchemaOf(
  response: OpenAPIV3.ResponseObject | OpenAPIV3.ReferenceObject,
): OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject | undefined {
  if ('$ref' in response) return { $ref: response.$ref };
  return response.content?.['application/json']?.schema;
}

/**
 * What a client generator would miss in the document: an operation without a success answer
 * with a JSON body, without error answers, with an error answer that has no body, an admin
 * operation without 401/403, an operation that takes input without 400, or one that does not
 * say what a database outage answers (503). One line per gap, empty when there is none.
 */
export function findOpenApiGaps(doc: OpenAPIV3.Document): string[] {
  const gaps: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const responses = Object.entries(op.responses ?? {});
      const success = responses.filter(([code]) => /^[23]\d\d$/.test(code));
      const errors = responses.filter(([code]) => /^[45]\d\d$/.test(code));
      if (success.length === 0) gaps.push(`${name}: no success response`);
      for (const [code, res] of success) {
        if (!jsonSchemaOf(res)) gaps.push(`${name}: ${code} has no JSON body schema`);
      }
      if (errors.length === 0) gaps.push(`${name}: no error responses`);
      for (const [code, res] of errors) {
        if (!jsonSchemaOf(res)) gaps.push(`${name}: ${code} has no JSON body schema`);
      }
      const codes = new Set(responses.map(([code]) => code));
      const isAdmin = (op.security ?? []).some((s) => 'bearer' in s);
      if (isAdmin && !(codes.has('401') && codes.has('403'))) {
        gaps.push(`${name}: admin route without 401 and 403`);
      }
      const takesInput = Boolean(op.requestBody) || (op.parameters ?? []).length > 0;
      if (takesInput && !codes.has('400')) gaps.push(`${name}: takes input but documents no 400`);
      if (!codes.has('503')) gaps.push(`${name}: no 503 (database unavailable)`);
    }
  }
  return gaps;
}
