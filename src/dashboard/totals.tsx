import { formatNumber } from "./charts";

/**
 * The row of headline figures atop a page (events, installs, dead letters…): a labelled number
 * each, as a description list, so that a screen reader reads each figure with its label. One
 * component, so that every page formats, marks and links its figures alike.
 */

export interface Figure {
  label: string;
  value: number;
  /** The figure's element id (what the browser tests read). */
  id?: string;
  /** An estimate: shown with "≈ ". */
  approximate?: boolean;
  /** Where the figure is broken down: the number links there. */
  href?: string;
  /** Good or bad news, in colour and weight (never the only carrier: the label says what it counts). */
  tone?: "ok" | "bad";
}

export function Totals({ figures }: { figures: readonly Figure[] }) {
  return (
    <dl class="totals">
      {figures.map((figure) => (
        <div>
          <dt>{figure.label}</dt>
          <dd id={figure.id} class={figure.tone}>
            {figure.approximate ? "≈ " : ""}
            {figure.href ? <a href={figure.href}>{formatNumber(figure.value)}</a> : formatNumber(figure.value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
