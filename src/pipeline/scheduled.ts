import type { Env } from "../env";
import { purgeExpired } from "./retention";

/** The cron entry point (see `[triggers]` in wrangler.toml). */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const purged = await purgeExpired(env, controller.scheduledTime);
  console.log(`retention: purged ${purged.events} raw events and ${purged.batches} batch ids`);
}
