// Small hand-made SVG charts: no canvas (works in jsdom tests and screen readers get
// a text alternative), a few hundred bytes instead of a charting library.
import { useId } from 'react';

export interface BarDatum {
  label: string;
  value: number;
  tone?: 'pos' | 'neg' | undefined;
}

/** Horizontal bars, each with its label and value written out. */
export function BarChart({ data, title, unit = '', max }: { data: BarDatum[]; title: string; unit?: string; max?: number }) {
  const id = useId();
  const top = max ?? Math.max(1, ...data.map((d) => Math.abs(d.value)));
  const row = 28;
  const labelW = 150;
  const width = 380;
  const barW = width - labelW - 60;
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg
        role="img"
        aria-labelledby={id}
        viewBox={`0 0 ${width} ${data.length * row + 4}`}
        className="chart__svg"
        preserveAspectRatio="xMinYMin meet"
      >
        {data.map((d, i) => {
          const w = Math.round((Math.abs(d.value) / top) * barW);
          const y = i * row + 4;
          return (
            <g key={d.label} data-testid={`bar-${d.label}`}>
              <text x={labelW - 8} y={y + 15} textAnchor="end" className="chart__label">
                {d.label}
              </text>
              <rect x={labelW} y={y + 3} width={Math.max(w, d.value === 0 ? 0 : 2)} height={16} rx={3} className={`chart__bar ${d.tone === 'neg' ? 'chart__bar--neg' : ''}`} />
              <text x={labelW + w + 6} y={y + 15} className="chart__value">
                {d.value}
                {unit}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>
                {d.value}
                {unit}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export interface DailyPoint {
  date: string;
  leads: number;
  inbound: number;
  replies: number;
}

/** Leads per day as columns, inbound and replies as lines. */
export function DailyChart({ data, title }: { data: DailyPoint[]; title: string }) {
  const id = useId();
  const w = 640;
  const h = 180;
  const pad = { l: 32, r: 8, t: 8, b: 24 };
  const max = Math.max(1, ...data.flatMap((d) => [d.leads, d.inbound, d.replies]));
  const n = Math.max(1, data.length);
  const step = (w - pad.l - pad.r) / n;
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const x = (i: number) => pad.l + step * i + step / 2;
  const line = (k: 'inbound' | 'replies') => data.map((d, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(d[k]).toFixed(1)}`).join(' ');
  const labelEvery = Math.ceil(n / 8);
  return (
    <figure className="chart chart--wide">
      <figcaption id={id}>{title}</figcaption>
      <svg role="img" aria-labelledby={id} viewBox={`0 0 ${w} ${h}`} className="chart__svg">
        <line x1={pad.l} x2={w - pad.r} y1={y(0)} y2={y(0)} className="chart__axis" />
        <text x={pad.l - 4} y={y(max) + 4} textAnchor="end" className="chart__tick">{max}</text>
        <text x={pad.l - 4} y={y(0)} textAnchor="end" className="chart__tick">0</text>
        {data.map((d, i) => (
          <rect key={d.date} x={x(i) - step * 0.3} width={step * 0.6} y={y(d.leads)} height={y(0) - y(d.leads)} className="chart__bar" />
        ))}
        {data.length > 0 && <path d={line('inbound')} className="chart__line chart__line--a" />}
        {data.length > 0 && <path d={line('replies')} className="chart__line chart__line--b" />}
        {data.map((d, i) =>
          i % labelEvery === 0 ? (
            <text key={d.date} x={x(i)} y={h - 6} textAnchor="middle" className="chart__tick">
              {d.date.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
      <p className="chart__legend" aria-hidden="true">
        <span className="key key--bar" /> leads <span className="key key--a" /> inbound messages <span className="key key--b" /> replies
      </p>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Leads</th>
            <th scope="col">Inbound</th>
            <th scope="col">Replies</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.date}>
              <th scope="row">{d.date}</th>
              <td>{d.leads}</td>
              <td>{d.inbound}</td>
              <td>{d.replies}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
