import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import type { UseQueryResult, UseInfiniteQueryResult } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../api/errors';

/** Loading, error and "retrying" states of a query; children once it has data. */
export function QueryState({
  q,
  children,
  label = 'data',
}: {
  q: Pick<UseQueryResult<unknown> | UseInfiniteQueryResult<unknown>, 'isPending' | 'error' | 'failureCount' | 'fetchStatus' | 'isError' | 'failureReason'>;
  children?: ReactNode;
  label?: string;
}) {
  const retrying = q.fetchStatus === 'fetching' && q.failureCount > 0;
  if (retrying) {
    const reason = q.failureReason;
    const msg = reason instanceof ApiError && reason.status === 503 ? 'The service is briefly unavailable' : errorMessage(reason);
    return (
      <>
        <p className="notice notice--warn" role="status">
          {msg} — retrying…
        </p>
        {!q.isPending && children}
      </>
    );
  }
  if (q.isPending) return <p className="muted" role="status">Loading {label}…</p>;
  if (q.isError) return <p className="notice notice--error" role="alert">Could not load {label}: {errorMessage(q.error)}</p>;
  return <>{children}</>;
}

/** An error from a mutation that no form field has claimed. */
export function FormError({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return (
    <p className="notice notice--error" role="alert">
      {errorMessage(error)}
    </p>
  );
}

/** The API's message for `name` when the error names that field. */
export function fieldError(error: unknown, name: string): string | undefined {
  if (error instanceof ApiError && error.field && (error.field === name || error.field.startsWith(`${name}.`) || error.field.startsWith(`${name}[`))) {
    return error.message;
  }
  return undefined;
}

interface FieldBase {
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
}

export function TextField({ label, error, hint, id, className, ...rest }: FieldBase & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const fid = id ?? auto;
  const describedBy = [hint ? `${fid}-hint` : '', error ? `${fid}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={fid}>{label}</label>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      {hint && <small id={`${fid}-hint`} className="field__hint">{hint}</small>}
      {error && <small id={`${fid}-err`} className="field__error">{error}</small>}
    </div>
  );
}

export function TextArea({ label, error, hint, id, className, ...rest }: FieldBase & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const fid = id ?? auto;
  const describedBy = [hint ? `${fid}-hint` : '', error ? `${fid}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={fid}>{label}</label>
      <textarea id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      {hint && <small id={`${fid}-hint`} className="field__hint">{hint}</small>}
      {error && <small id={`${fid}-err`} className="field__error">{error}</small>}
    </div>
  );
}

export function SelectField({
  label,
  error,
  hint,
  id,
  className,
  children,
  ...rest
}: FieldBase & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const fid = id ?? auto;
  const describedBy = [hint ? `${fid}-hint` : '', error ? `${fid}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={fid}>{label}</label>
      <select id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest}>
        {children}
      </select>
      {hint && <small id={`${fid}-hint`} className="field__hint">{hint}</small>}
      {error && <small id={`${fid}-err`} className="field__error">{error}</small>}
    </div>
  );
}

export function Badge({ tone = 'neutral', children, label }: { tone?: 'neutral' | 'info' | 'warn' | 'danger' | 'ok'; children: ReactNode; label?: string }) {
  return (
    <span className={`badge badge--${tone}`} aria-label={label}>
      {children}
    </span>
  );
}

export function LoadMore({ q }: { q: Pick<UseInfiniteQueryResult<unknown>, 'hasNextPage' | 'fetchNextPage' | 'isFetchingNextPage'> }) {
  if (!q.hasNextPage) return null;
  return (
    <button type="button" className="btn btn--ghost" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
      {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
    </button>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-header__actions">{children}</div>}
    </div>
  );
}
