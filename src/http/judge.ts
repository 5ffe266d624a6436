/**
 * Batches are judged item by item: one bad event or report is rejected with its index, its
 * id (when it claims a well-formed one), a code, the field and a message, and never costs the
 * valid items of its request. Events and usage reports share this loop and this shape.
 */

import type { ItemErrorCode } from "./error-codes";

/** Why one item of a batch was refused. `K` names the item's id field (`uuid`, `report_uuid`). */
export type Rejection<K extends string = "uuid"> = {
  index: number;
  error: ItemErrorCode;
  field?: string;
  message: string;
} & { [key in K]?: string };

/** Why one item is refused, before the batch adds its index and id. */
export type Refusal = { ok: false; error: ItemErrorCode; message: string; field?: string };

/** What a judge says of one item: its value and id, or why it is refused. */
export type Verdict<T> = { ok: true; id: string; value: T } | Refusal;

export interface Judged<T, K extends string> {
  accepted: T[];
  rejected: Rejection<K>[];
  /** Items whose id appeared earlier in the same request: acknowledged, counted once. */
  duplicates: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shorthand for a refusal. */
export function refuse(error: ItemErrorCode, message: string, field?: string): Refusal {
  return { ok: false, error, message, ...(field ? { field } : {}) };
}

/** Judges every item; ids repeated within the request are counted as duplicates, not accepted twice. */
export function judgeEach<T, K extends string>(
  items: readonly unknown[],
  idKey: K,
  judge: (raw: unknown, index: number) => Verdict<T>,
): Judged<T, K> {
  const result: Judged<T, K> = { accepted: [], rejected: [], duplicates: 0 };
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const verdict = judge(raw, index);
    if (!verdict.ok) {
      const id = claimedId(raw, idKey);
      result.rejected.push({
        index,
        ...(id ? { [idKey]: id } : {}),
        error: verdict.error,
        ...(verdict.field ? { field: verdict.field } : {}),
        message: verdict.message,
      } as Rejection<K>);
    } else if (seen.has(verdict.id)) {
      result.duplicates++;
    } else {
      seen.add(verdict.id);
      result.accepted.push(verdict.value);
    }
  });
  return result;
}

/** The item's id if it claims a well-formed UUID, lower-cased, to echo back in a rejection. */
function claimedId(raw: unknown, idKey: string): string | undefined {
  if (raw === null || typeof raw !== "object" || !(idKey in raw)) return undefined;
  const id = (raw as Record<string, unknown>)[idKey];
  return typeof id === "string" && UUID.test(id) ? id.toLowerCase() : undefined;
}

/** Rejections counted by error code: what the stats keep of them. */
export function countByError(rejected: readonly { error: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rejection of rejected) counts[rejection.error] = (counts[rejection.error] ?? 0) + 1;
  return counts;
}
