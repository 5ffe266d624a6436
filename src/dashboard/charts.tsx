import { OTHER } from "../lib/other";
import { SERIES_COLOURS } from "./styles";

/**
 * Inline SVG charts rendered on the server: no script, nothing to load. Each chart is an image
 * with a title and a text summary for screen readers, each bar has a `<title>` (a tooltip, and
 * what the browser tests read), and every page also gives the numbers as a table.
 */

export interface Series {
  name: string;
  values: number[];
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
export const formatNumber = (n: number) => numberFormat.format(n);
const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact" });

/** Rounds to one decimal: enough for a pixel, and short in the page. */
const px = (n: number) => Math.round(n * 10) / 10;

/** Ticks for counts from 0 to a round maximum: four or so steps of 1, 2 or 5 × 10^k (at least 1). */
function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude);
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => i * step);
}

/** The legend of a multi-series chart: a swatch and a name per series, in stacking order. */
export function Legend(props: { names: string[] }) {
  return (
    <ul class="legend">
      {props.names.map((name, i) => (
        <li>
          <span class={`swatch c${i % SERIES_COLOURS}`} aria-hidden="true" />
          {name}
        </li>
      ))}
    </ul>
  );
}

interface StackedBarsProps {
  id: string;
  title: string;
  /** One per bar (a day, or the first day of a week). */
  labels: string[];
  series: Series[];
  unit: string;
  /** Name the series in a legend and in each bar's title (default: when there are several). */
  named?: boolean;
}

/** Vertical bars, one per label, stacked by series (one series: plain bars). */
export function StackedBars({ id, title, labels, series, unit, named = series.length > 1 }: StackedBarsProps) {
  const width = 1000;
  const height = 320;
  const left = 64;
  const bottom = 44;
  const top = 26;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const totals = labels.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const ticks = countTicks(Math.max(0, ...totals));
  const max = ticks[ticks.length - 1] ?? 1;
  const band = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(1, band * 0.78);
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.ceil(labels.length / 7);
  const sum = totals.reduce((a, b) => a + b, 0);
  const peak = totals.indexOf(Math.max(...totals));
  const summary =
    sum === 0
      ? `No ${unit} from ${labels[0]} to ${labels[labels.length - 1]}.`
      : `${formatNumber(sum)} ${unit} from ${labels[0]} to ${labels[labels.length - 1]}; the most, ${formatNumber(totals[peak] ?? 0)}, on ${labels[peak]}.`;
  return (
    <figure class="card stacked">
      <h2>{title}</h2>
      {named ? <Legend names={series.map((s) => s.name)} /> : null}
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-n ${id}-d`} id={id}>
        <title id={`${id}-n`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        {ticks.map((tick) => (
          <g>
            <line class="grid-line" x1={left} x2={width - 8} y1={px(y(tick))} y2={px(y(tick))} />
            <text x={left - 6} y={px(y(tick) + 4)} text-anchor="end">
              {compactFormat.format(tick)}
            </text>
          </g>
        ))}
        <line class="axis" x1={left} x2={width - 8} y1={top + plotHeight} y2={top + plotHeight} />
        {series.map((s, k) => (
          // One group per series: its colour is written once, not on each of its bars.
          <g class={`stack c${k % SERIES_COLOURS}`}>
            {labels.map((label, i) => {
              const value = s.values[i] ?? 0;
              if (value <= 0) return null;
              const below = series.slice(0, k).reduce((n, under) => n + (under.values[i] ?? 0), 0);
              return (
                <rect
                  x={px(left + i * band + (band - barWidth) / 2)}
                  y={px(y(below + value))}
                  width={px(barWidth)}
                  height={px(y(below) - y(below + value))}
                >
                  <title>
                    {named ? `${s.name} on ${label}: ${formatNumber(value)}` : `${label}: ${formatNumber(value)}`}
                  </title>
                </rect>
              );
            })}
          </g>
        ))}
        {labels.map((label, i) =>
          i % labelEvery === 0 ? (
            <text x={px(left + (i + 0.5) * band)} y={height - 8} text-anchor="middle">
              {label.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
    </figure>
  );
}

export interface BarRow {
  label: string;
  value: number;
  /** A mark drawn across the bar (a high-water mark), with its own tooltip. */
  mark?: { value: number; title: string } | undefined;
  /** Another mark (a contracted quantity): a dashed line. */
  limit?: { value: number; title: string } | undefined;
}

interface HorizontalBarsProps {
  id: string;
  title: string;
  rows: BarRow[];
  unit: string;
  /** A line under the title (what the numbers count, what was hidden). */
  note?: string;
}

/** Where bars start and how much of the width they may take, in percent: text keeps its size at any width. */
const BAR_START = 34;
const BAR_SPAN = 52;
const MAX_LABEL = 14;

/** One horizontal bar per row, in the order given: breakdowns and per-tenant figures. */
export function HorizontalBars({ id, title, rows, unit, note }: HorizontalBarsProps) {
  const rowHeight = 26;
  const height = Math.max(1, rows.length) * rowHeight + 4;
  const max = Math.max(1, ...rows.map((row) => Math.max(row.value, row.mark?.value ?? 0, row.limit?.value ?? 0)));
  const at = (value: number) => `${px(BAR_START + (value / max) * BAR_SPAN)}%`;
  const summary = rows.map((row) => `${row.label}: ${formatNumber(row.value)}`).join("; ") || `no ${unit}`;
  return (
    <figure class="card bars">
      <h2>{title}</h2>
      {note ? <p class="muted">{note}</p> : null}
      <svg width="100%" height={height} role="img" aria-labelledby={`${id}-n ${id}-d`} id={id}>
        <title id={`${id}-n`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        {rows.map((row, i) => {
          const top = i * rowHeight + 4;
          const label = row.label.length > MAX_LABEL ? `${row.label.slice(0, MAX_LABEL - 1)}…` : row.label;
          return (
            <g>
              <text x="0" y={top + 15}>
                {label}
              </text>
              <rect
                class={`c${row.label === OTHER ? SERIES_COLOURS - 1 : 0}`}
                x={`${BAR_START}%`}
                y={top + 2}
                width={`${Math.max(0.5, px((row.value / max) * BAR_SPAN))}%`}
                height={rowHeight - 8}
              >
                <title>{`${row.label}: ${formatNumber(row.value)} ${unit}`}</title>
              </rect>
              {row.mark ? (
                <line class="hw" x1={at(row.mark.value)} x2={at(row.mark.value)} y1={top} y2={top + rowHeight - 4}>
                  <title>{row.mark.title}</title>
                </line>
              ) : null}
              {row.limit ? (
                <line class="limit" x1={at(row.limit.value)} x2={at(row.limit.value)} y1={top} y2={top + rowHeight - 4}>
                  <title>{row.limit.title}</title>
                </line>
              ) : null}
              <text x="100%" y={top + 15} text-anchor="end">
                {formatNumber(row.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
