// Types of what scripts/tenant.mjs exports, for the tests that drive it.

/** `call(method, path, body?)`: the JSON answer of the operator API, or a thrown error with its message. */
export type OperatorCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

export function adminTokenFor(url: string): string;
export function operatorApi(url: string, adminToken: string): OperatorCall;
export function seedDemoTenant(call: OperatorCall): Promise<Record<string, unknown>>;
