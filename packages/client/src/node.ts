/**
 * `edgehog/client/node`: what only Node (and Electron's main process) can do. File storage,
 * and the CLI mode for command-line tools (ask once on a terminal, spool in a fraction of a
 * millisecond, send from a detached process). Its own entry point, so browser bundles never
 * see `node:fs` or `node:child_process`.
 */

export type { CliConsentReason, TerminalInput, TerminalOutput } from "./cli/consent.js";
export { type CliFiles, cliFiles, configDirectory } from "./cli/paths.js";
export { type CliTelemetry, type CliTelemetryOptions, createCliTelemetry } from "./cli/telemetry.js";
export { fileStorage } from "./storage-file.js";
