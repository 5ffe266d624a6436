import type { AdoptionAnswer, BreakdownAnswer, FunnelAnswer, RetentionAnswer } from "./answers";

/**
 * The insights answers as CSV rows (`Accept: text/csv`): the same published cells as the JSON,
 * one per line, so a masked cell is `< 5` in both and no number the JSON hides appears here.
 */

export type CsvTable = { columns: string[]; rows: Record<string, unknown>[] };

export function breakdownCsv(answer: BreakdownAnswer): CsvTable {
  const rows: Record<string, unknown>[] = [];
  const push = (period: string, start: string, values: BreakdownAnswer["values"], total: BreakdownAnswer["total"]) => {
    for (const cell of values)
      rows.push({ period, start, value: cell.value, events: cell.events, installs: cell.installs });
    rows.push({ period, start, value: "(total)", events: total.events, installs: total.installs });
  };
  push("range", answer.from, answer.values, answer.total);
  for (const period of answer.series ?? []) push(answer.interval ?? "", period.start, period.values, period.total);
  if (answer.previous) push("previous", answer.previous.from, answer.previous.values, answer.previous.total);
  return { columns: ["period", "start", "value", "events", "installs"], rows };
}

export function adoptionCsv(answer: AdoptionAnswer): CsvTable {
  const rows: Record<string, unknown>[] = [];
  for (const [period, part] of [
    ["range", answer],
    ["previous", answer.previous],
  ] as const) {
    if (!part) continue;
    rows.push({ period, event: "(active installs)", installs: part.active_installs, share: 1 });
    for (const row of part.events) rows.push({ period, event: row.event, installs: row.installs, share: row.share });
  }
  return { columns: ["period", "event", "installs", "share"], rows };
}

export function retentionCsv(answer: RetentionAnswer): CsvTable {
  const rows = answer.cohorts.flatMap((cohort) =>
    cohort.retained.map((retained, k) => ({ cohort: cohort.start, installs: cohort.installs, period: k, retained })),
  );
  return { columns: ["cohort", "installs", "period", "retained"], rows };
}

export function funnelCsv(answer: FunnelAnswer): CsvTable {
  const rows = [
    ...answer.steps.map((step, i) => ({ group: "(all)", step: i + 1, event: step.event, installs: step.installs })),
    ...(answer.by?.groups ?? []).flatMap((group) =>
      group.steps.map((step, i) => ({ group: group.value, step: i + 1, event: step.event, installs: step.installs })),
    ),
  ];
  return { columns: ["group", "step", "event", "installs"], rows };
}
