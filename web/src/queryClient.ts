import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/errors';

/** Transient failures (503 with Retry-After, 429, network) retry; others do not. */
export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, err) => (err instanceof ApiError && err.transient ? count < 6 : count < 1 && !(err instanceof ApiError)),
        retryDelay: (count, err) =>
          err instanceof ApiError && err.retryAfter !== undefined
            ? Math.min(30_000, Math.max(500, err.retryAfter * 1000))
            : Math.min(1000 * 2 ** count, 15_000),
        refetchOnWindowFocus: true,
      },
      mutations: {
        retry: (count, err) => err instanceof ApiError && err.status === 503 && count < 2,
        retryDelay: (_c, err) => (err instanceof ApiError && err.retryAfter !== undefined ? Math.min(10_000, err.retryAfter * 1000) : 1000),
      },
    },
  });
}
