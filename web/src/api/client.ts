// The typed API client: paths, parameters and bodies come from the server's OpenAPI
// document (`npm run gen` -> src/api/schema.d.ts), so a changed API breaks the build.
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';
import { apiErrorFrom, ApiError } from './errors';
import { session } from './session';

export type Schemas = components['schemas'];

export const api = createClient<paths>({ baseUrl: location.origin, fetch: (req) => session.fetch(req) });

/**
 * Unwraps an openapi-fetch result: the data, or a thrown ApiError carrying the API's
 * `{"error": {...}}` message and field. A 204 resolves to undefined.
 */
export async function call<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(0, 'network_error', 'Cannot reach the server; retrying.');
  }
  if (r.error !== undefined || !r.response.ok) throw apiErrorFrom(r.error, r.response);
  return r.data as T;
}
