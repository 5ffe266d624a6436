import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventBuilder, type Properties } from "../build-event.js";
import { readJson, writeJson } from "../storage.js";
import { fileStorage } from "../storage-file.js";
import type {
  AppName,
  CaptureOptions,
  ClientError,
  CommonProperties,
  Consent,
  EventName,
  EventProperties,
} from "../types.js";
import { isRandomUuid, randomUuid } from "../uuid.js";
import {
  ask,
  type CliConsentReason,
  isInteractive,
  runConsent,
  type TerminalInput,
  type TerminalOutput,
} from "./consent.js";
import { cliFiles, configDirectory } from "./paths.js";
import type { SendJob } from "./spool.js";

/**
 * `createCliTelemetry`: usage data from a command-line tool without slowing it down or
 * speaking unasked. The answer lives in the user's configuration directory; a capture is
 * digested and appended to a spool file (no network, no rewrite of any file); at most once per
 * `sendIntervalMs` a detached process sends what the spool holds, so the command exits as if
 * the SDK were not there, and nothing is ever printed but the question itself.
 */

export interface CliTelemetryOptions<A extends AppName> {
  host: string;
  app: A;
  /** The tool's name: its folder in the configuration directory (`tsh`) and, by default, in the question. */
  name: string;
  /** The tool's own opt-out variable (e.g. `TSH_NO_TELEMETRY`): set, it means "denied", as `DO_NOT_TRACK` does. */
  optOutVariable: string;
  /** The question (default: "Are you OK sending anonymized usage data about <name>? This will help us improve the product."). */
  question?: string;
  clusterKey?: string;
  properties?: CommonProperties<A>;
  token?: string;
  /** A background send starts at most this often (default one hour). */
  sendIntervalMs?: number;
  /** A background send gives up after this long, keeping what it could not send (default 30 000 ms). */
  sendTimeoutMs?: number;
  /** Default: `configDirectory(name)`. */
  configDir?: string;
  /** Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the question is read and written (default: stdin and stderr). */
  input?: TerminalInput;
  output?: TerminalOutput;
  /** The sender script (default: `cli-send.js` beside this module); `false`: never send from here. */
  senderScript?: string | false;
  /** Told of what went wrong (nothing is ever printed). */
  onError?: (error: ClientError) => void;
}

export interface CliTelemetry<A extends AppName = AppName> {
  /** This run's answer: the environment's no, "unknown" when nobody can answer, else the stored one. */
  readonly consent: Consent;
  readonly reason: CliConsentReason;
  /** Asks on the terminal if nobody has answered yet (and someone can), records a real answer, returns this run's. */
  askConsent(): Promise<Consent>;
  /** Records an answer given another way (`tool telemetry on|off`); no drops the spool and the saved queue. */
  setConsent(granted: boolean): void;
  /** Spools the event if this run may send (resolves once it is on disk; never rejects). */
  capture<E extends EventName<A>>(event: E, properties: EventProperties<A, E>, options?: CaptureOptions): Promise<void>;
}

const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);

export function createCliTelemetry<A extends AppName>(options: CliTelemetryOptions<A>): CliTelemetry<A> {
  const env = options.env ?? process.env;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  const files = cliFiles(options.configDir ?? configDirectory(options.name, env));
  const key = (name: string) => `edgehog.${options.app}.${name}`;
  const storage = fileStorage(files.state);
  const build = eventBuilder(options.app, options.properties as Properties | undefined);
  const report = (error: ClientError) => options.onError?.(error);
  const stored = readJson(storage, key("consent"));
  const run = runConsent(
    stored === "granted" || stored === "denied" ? stored : "unknown",
    env,
    options.optOutVariable,
    isInteractive(input, output, env),
  );
  let consent = run.consent;
  let sendChecked = false;

  const installId = (): string => {
    const id = readJson(storage, key("id"));
    if (isRandomUuid(id)) return id;
    const made = randomUuid();
    writeJson(storage, key("id"), made);
    return made;
  };

  /** Starts the detached sender if the interval since the last one has passed. */
  const sendIfDue = () => {
    if (sendChecked || options.senderScript === false) return;
    sendChecked = true;
    const script = options.senderScript ?? join(dirname(here), "cli-send.js");
    let last = 0;
    try {
      last = statSync(files.sentAt).mtimeMs;
    } catch {}
    if (Date.now() - last < (options.sendIntervalMs ?? 3_600_000) || !existsSync(script)) return;
    writeFileSync(files.sentAt, "", { mode: 0o600 });
    const job: SendJob = { host: options.host, app: options.app, files, timeoutMs: options.sendTimeoutMs ?? 30_000 };
    if (options.token) job.token = options.token;
    const sender = spawn(process.execPath, [script, JSON.stringify(job)], {
      detached: true,
      stdio: "ignore",
      windowsHide: true,
    });
    sender.on("error", (err) => report({ error: "send_failed", message: String(err) }));
    sender.unref();
  };

  const setConsent = (granted: boolean) => {
    writeJson(storage, key("consent"), granted ? "granted" : "denied");
    if (granted) installId();
    else {
      rmSync(files.spool, { force: true });
      writeJson(storage, key("queue"), undefined);
    }
    if (run.reason === "answer") consent = granted ? "granted" : "denied";
  };

  return {
    get consent() {
      return consent;
    },
    reason: run.reason,
    async askConsent() {
      if (consent !== "unknown" || run.reason !== "answer") return consent;
      const question =
        options.question ??
        `Are you OK sending anonymized usage data about ${options.name}? This will help us improve the product.`;
      const answer = await ask(question, input, output);
      if (answer !== undefined) setConsent(answer);
      return consent;
    },
    setConsent,
    async capture(event, properties, captureOptions) {
      if (consent !== "granted") return;
      const timestamp = (captureOptions?.timestamp ?? new Date()).toISOString();
      try {
        const wire = await build(event, properties as Properties, captureOptions?.clusterKey ?? options.clusterKey);
        const line = `${JSON.stringify({ ...wire, distinct_id: installId(), timestamp })}\n`;
        mkdirSync(files.dir, { recursive: true });
        appendFileSync(files.spool, line, { mode: 0o600 });
        sendIfDue();
      } catch (error) {
        const known = (error as Partial<ClientError>)?.error;
        report(typeof known === "string" ? (error as ClientError) : { error: "spool_failed", message: String(error) });
      }
    },
  };
}
