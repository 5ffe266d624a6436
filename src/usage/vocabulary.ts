/**
 * The names usage reports are made of and the longest window of each kind. The client SDK's
 * usage reporter makes the reports, so the SDK package owns the list; the collector reads the
 * same one from it (check-imports: the collector may import the package's shared/ only).
 */
export * from "../../packages/client/src/shared/usage-vocabulary";
