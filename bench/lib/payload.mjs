// The realistic batch: what Teleport Connect sends, anonymized the way its client does it
// (cluster and user names are HMAC-SHA256 digests, std base64 with padding of 32 bytes).
import { randomBytes, randomUUID } from "node:crypto";

export const APP = "teleport-connect";
const UUID_MARK = "@@uuid@@";
const TIME_MARK = "@@time@@";

const digest = () => randomBytes(32).toString("base64");
const pick = (list, i) => list[i % list.length];

/**
 * Builds a batch of `count` events as a template: `body(uuids?)` returns the JSON text with
 * fresh (or given) event uuids, and times relative to when it is called (events of the last
 * few minutes, as a client's queue holds them when it sends). Everything else (installs,
 * digests) is fixed when the template is made, so filling one in costs `count` randomUUID()
 * calls, `count` dates and a join.
 */
export function batchTemplate({ count = 100 } = {}) {
  const clusters = Array.from({ length: 3 }, digest);
  const users = Array.from({ length: 24 }, digest);
  const installs = Array.from({ length: 40 }, () => randomUUID());
  const versions = ["17.0.1", "17.0.2", "16.4.7", "17.1.0-rc.1"];
  const oses = [{ os: "darwin" }, { os: "darwin", arch: "arm64" }, { os: "linux" }, { os: "win32", arch: "x64" }];
  const protocols = ["ssh", "ssh", "ssh", "db", "kube", "app", "desktop"];
  const origins = ["resource_table", "search_bar", "connection_list", "reopened_session", "vnet"];
  const access = ["proxy_service", "local_proxy", "vnet"];

  const events = [];
  for (let i = 0; i < count; i++) {
    const platform = pick(oses, i * 7);
    const common = { app_version: pick(versions, i * 3), ...platform };
    const who = { cluster_name: pick(clusters, i), user_name: pick(users, i * 5) };
    let event;
    let properties;
    const kind = i % 10;
    if (kind < 7) {
      event = "connect.protocol.use";
      properties = { ...who, protocol: pick(protocols, i), ...common };
      // The optional UI details ride on some events only, as in the real client.
      if (i % 3 === 0) properties.origin = pick(origins, i);
      if (i % 5 === 0) properties.access_through = pick(access, i);
    } else if (kind === 7) {
      event = "connect.cluster.login";
      properties = { ...who, connector_type: pick(["local", "github", "saml", "oidc", "passwordless"], i), ...common };
    } else if (kind === 8) {
      event = "connect.fileTransfer.run";
      properties = { ...who, is_upload: i % 2 === 0, ...common };
    } else {
      event = "connect.accessRequest.create";
      properties = { ...who, kind: pick(["role", "resource"], i), ...common };
    }
    events.push({
      uuid: UUID_MARK,
      event,
      distinct_id: pick(installs, i * 11),
      // Events of the last few minutes, oldest first, as a client queue holds them.
      timestamp: TIME_MARK,
      properties,
    });
  }
  const text = JSON.stringify({ app: APP, sent_at: TIME_MARK, events });
  // [envelope, uuid, time, uuid, time, …]: the sent_at first, then each event's uuid and time.
  const parts = text.split(new RegExp(`"(?:${UUID_MARK}|${TIME_MARK})"`));
  if (parts.length !== 2 * count + 2) throw new Error("payload template: marker count mismatch");
  const body = (uuids) => {
    const now = Date.now();
    let out = `${parts[0]}"${new Date(now).toISOString()}"${parts[1]}`;
    for (let i = 0; i < count; i++) {
      out += `"${uuids ? uuids[i] : randomUUID()}"${parts[2 * i + 2]}`;
      out += `"${new Date(now - (count - i) * 1500).toISOString()}"${parts[2 * i + 3]}`;
    }
    return out;
  };
  return { count, body, bytes: Buffer.byteLength(body()) };
}

const CLIENT_VERSIONS = ["17.0.1", "17.0.2", "16.4.7", "17.1.0-rc.1"];
const CLIENT_OSES = ["darwin", "linux", "win32"];

/** Bodies per install in `clientBodies`: a client's two sends. */
export const BATCHES_PER_INSTALL = 2;

/**
 * `count` bodies of the template as clients send them: each from one install, which sends its
 * one app version and OS in every event, `batchesPerInstall` bodies per install (then the next
 * install), so `count / batchesPerInstall` installs in all.
 */
export function clientBodies(template, count, batchesPerInstall = BATCHES_PER_INSTALL) {
  const list = [];
  let install = "";
  let n = 0;
  for (let i = 0; i < count; i++) {
    if (i % batchesPerInstall === 0) {
      install = randomUUID();
      n++;
    }
    list.push(
      template
        .body()
        .replace(/"distinct_id":"[^"]+"/g, `"distinct_id":"${install}"`)
        .replace(/"app_version":"[^"]+"/g, `"app_version":"${CLIENT_VERSIONS[n % CLIENT_VERSIONS.length]}"`)
        .replace(/"os":"[^"]+"/g, `"os":"${CLIENT_OSES[n % CLIENT_OSES.length]}"`),
    );
  }
  return list;
}

/** The UTC days around now: the stats window that surely holds every bench event. */
export function statsWindow(now = Date.now()) {
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now - 86_400_000), to: day(now + 86_400_000) };
}

const REPORT_UUID_MARK = "@@report_uuid@@";
const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;

/**
 * A realistic `POST /v1/usage` body as a template: what a Teleport cluster's usage submitter
 * sends, 10 reports (its maximum per request) closed over the last hours on UTC-aligned windows:
 * 4 user_activity reports of `users` user records, 2 resource_presence reports (64 resources
 * each, over 4 kinds) and 4 bot_instance_activity reports of 5 bot instances. Every name and
 * id is a digest, as the cluster's anonymizer writes them. `body(uuids?)` fills in fresh (or
 * given) report uuids; `cluster` is the reporting cluster's digest (to count its reports).
 */
export function usageTemplate({ users = 50, now = Date.now() } = {}) {
  const cluster = digest();
  const hostId = digest();
  const userNames = Array.from({ length: users }, digest);
  const bots = Array.from({ length: 5 }, () => ({ instance: digest(), user: digest() }));
  const resourceKinds = [
    ["node", 40],
    ["kube_server", 10],
    ["db_server", 8],
    ["app_server", 6],
  ];
  const resourceIds = resourceKinds.map(([kind, n]) => ({ kind, ids: Array.from({ length: n }, digest) }));
  const quarter = Math.floor(now / QUARTER_MS) * QUARTER_MS;
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const header = (kind, startMs, windowMs) => ({
    kind,
    report_uuid: REPORT_UUID_MARK,
    cluster_name: cluster,
    reporter_hostid: hostId,
    start_time: new Date(startMs).toISOString(),
    end_time: new Date(startMs + windowMs).toISOString(),
  });

  const reports = [];
  for (let q = 4; q >= 1; q--) {
    reports.push({
      ...header("user_activity", quarter - q * QUARTER_MS, QUARTER_MS),
      records: userNames.map((user_name, i) => ({
        user_name,
        user_kind: i % 10 === 9 ? "bot" : "human",
        logins: (i + q) % 3,
        ssh_sessions: (i * 7 + q) % 5,
        kube_sessions: i % 4 === 0 ? 1 : 0,
        db_sessions: i % 6 === 0 ? 2 : 0,
        app_sessions: i % 5 === 0 ? 1 : 0,
        certificates_issued: 1 + (i % 2),
      })),
    });
  }
  for (let h = 2; h >= 1; h--) {
    reports.push({ ...header("resource_presence", hour - h * HOUR_MS, HOUR_MS), resources: resourceIds });
  }
  for (let q = 4; q >= 1; q--) {
    reports.push({
      ...header("bot_instance_activity", quarter - q * QUARTER_MS, QUARTER_MS),
      records: bots.map((b, i) => ({
        bot_instance_id: b.instance,
        bot_user_name: b.user,
        bot_joins: i === 0 ? 1 : 0,
        certificates_issued: 3 + i,
        spiffe_svids_issued: i % 2,
      })),
    });
  }

  const text = JSON.stringify({ reports });
  const parts = text.split(`"${REPORT_UUID_MARK}"`);
  if (parts.length !== reports.length + 1) throw new Error("usage template: uuid marker count mismatch");
  const body = (uuids) => {
    let out = parts[0];
    for (let i = 1; i < parts.length; i++) out += `"${uuids ? uuids[i - 1] : randomUUID()}"${parts[i]}`;
    return out;
  };
  return { reports: reports.length, cluster, body, bytes: Buffer.byteLength(body()) };
}
