// Types of what scripts/usage-backfill.mjs exports, for the tests that drive it.
import type { OperatorCall } from "./operator-api.mjs";

export interface BackfillTotals {
  accepted: number;
  counted: number;
  late: number;
  duplicates: number;
  rejected: { index: number; report_uuid?: string; error: string; field?: string; message: string }[];
}

export function reportsIn(text: string): unknown[];
export function backfill(call: OperatorCall, tenant: string, reports: readonly unknown[]): Promise<BackfillTotals>;
export function printBackfill(tenant: string, file: string, totals: BackfillTotals): void;
