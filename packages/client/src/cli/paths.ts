import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * Where a command-line tool keeps its answer and its spool: the user's configuration
 * directory, as each platform has it (XDG Base Directory on Linux and the BSDs, which many
 * macOS tools follow too; %APPDATA% on Windows), in a folder named after the tool.
 */

export interface CliFiles {
  /** The folder, created with the first write. */
  dir: string;
  /** Consent, install id, unsent events and pending forgets (fileStorage's JSON, mode 0600). */
  state: string;
  /** Captured events, one JSON line each, appended by every run (mode 0600). */
  spool: string;
  /** Its modification time is when the last background send started. */
  sentAt: string;
  /** Held by the one background sender running. */
  lock: string;
}

/** `$XDG_CONFIG_HOME/<name>` (else `~/.config/<name>`), or `%APPDATA%\<name>` on Windows. */
export function configDirectory(
  name: string,
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), name);
  const xdg = env.XDG_CONFIG_HOME;
  // The specification: a relative XDG_CONFIG_HOME is invalid and ignored.
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".config"), name);
}

export function cliFiles(dir: string): CliFiles {
  return {
    dir,
    state: join(dir, "telemetry.json"),
    spool: join(dir, "telemetry.spool"),
    sentAt: join(dir, "telemetry.sent-at"),
    lock: join(dir, "telemetry.lock"),
  };
}
