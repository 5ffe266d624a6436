// Types of what scripts/lib/operator-api.mjs exports, for the tests that drive the operator scripts.

/** `call(method, path, body?)`: the JSON answer of the operator API, or a thrown OperatorApiError. */
export type OperatorCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

export const LOCAL_URL: string;
export class OperatorApiError extends Error {
  constructor(message: string, code?: string, answer?: unknown);
  code: string | undefined;
  answer: unknown;
}
export function adminTokenFor(url: string, given?: string): string;
export function operatorApi(url: string, adminToken: string): OperatorCall;
export function seedDemoTenant(call: OperatorCall): Promise<Record<string, unknown>>;
