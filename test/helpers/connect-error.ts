import { ConnectError } from "@connectrpc/connect";

/** The ConnectError an RPC call fails with; throws when it succeeds or fails otherwise. */
export async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return error;
}
