/** The API's error envelope: `{"error": {"code", "message", "field"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** Seconds from a `Retry-After` header (503, 429, 409 work in progress). */
  readonly retryAfter: number | undefined;

  constructor(status: number, code: string, message: string, field?: string | null, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field ?? undefined;
    this.retryAfter = retryAfter;
  }

  /** Retrying may help: the API said so (503, 429) or the network failed (status 0). */
  get transient(): boolean {
    return this.status === 503 || this.status === 429 || this.status === 0;
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}

function retryAfterOf(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (!h) return undefined;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** An ApiError from a parsed body (as openapi-fetch hands it over) and its response. */
export function apiErrorFrom(body: unknown, res: Response): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(res.status, body.error.code, body.error.message, body.error.field, retryAfterOf(res));
  }
  const fallback = res.status === 503 ? 'The service is briefly unavailable.' : `Request failed (${res.status}).`;
  return new ApiError(res.status, res.status === 503 ? 'service_unavailable' : 'http_error', fallback, undefined, retryAfterOf(res));
}

/** Reads a failed response's body and makes an ApiError of it. */
export async function apiErrorFromResponse(res: Response): Promise<ApiError> {
  let body: unknown = undefined;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  return apiErrorFrom(body, res);
}

/** The message to show for anything thrown by a query or mutation. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}
