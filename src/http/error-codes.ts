/**
 * Every error code the collector answers, in one closed set: the `error` of a refused request
 * (`{ error, message }`, with the status given here) and of a refused item of a batch (an event
 * or a usage report: `{ index, <id>, error, field?, message }`). A code that is not listed here
 * does not compile, the OpenAPI description lists them with their statuses, and the table in
 * docs/ARCHITECTURE.md is checked against this list by a test.
 *
 * `where` says how a code is used: `request` (the whole request is refused with `status`),
 * `item` (one item of a batch is refused; the batch answers 400 only when every item was), or
 * `both`.
 */

interface CodeSpec {
  status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 503;
  where: "request" | "item" | "both";
  means: string;
}

export const ERROR_CODES = {
  // The request as a whole.
  bad_request: { status: 400, where: "request", means: "the request is malformed (a refusal of the web framework)" },
  invalid_body: { status: 400, where: "request", means: "the JSON body does not have the route's shape" },
  invalid_query: { status: 400, where: "request", means: "the query string does not have the route's shape" },
  invalid_json: { status: 400, where: "request", means: "the body is not valid UTF-8 JSON" },
  invalid_encoding: { status: 400, where: "request", means: "the body is not valid data of its declared encoding" },
  empty_body: {
    status: 400,
    where: "request",
    means: "the request has no body (or no data field) where one is needed",
  },
  invalid_batch: { status: 400, where: "request", means: "the batch envelope (app, sent_at, events) is malformed" },
  unknown_app: { status: 400, where: "request", means: "the app (or PostHog project key) is not in the catalogue" },
  missing_token: {
    status: 400,
    where: "request",
    means: "a PostHog capture carries no project key (api_key or token)",
  },
  multiple_tokens: { status: 400, where: "request", means: "a PostHog capture mixes events of several project keys" },
  unknown_queue: { status: 400, where: "request", means: "parked messages cannot be re-driven to that queue" },
  invalid_term: { status: 400, where: "request", means: "a subscription term's start or length is not valid" },
  invalid_tenant_name: {
    status: 400,
    where: "request",
    means: "a tenant name is not 1-63 lower-case letters, digits or dashes",
  },
  invalid_plan: {
    status: 400,
    where: "request",
    means: "a plan name is not 1-32 lower-case letters, digits, dashes or underscores",
  },
  invalid_contract: {
    status: 400,
    where: "request",
    means: "a contract is not { plan, reporting_required, mau?, tpr?, mwi? } with whole quantities in range",
  },
  invalid_webhook_url: {
    status: 400,
    where: "request",
    means: "a webhook endpoint is not an https URL (http only to a loopback address)",
  },
  invalid_token_ref: {
    status: 400,
    where: "request",
    means: "a token is named neither by its id, its prefix nor itself",
  },
  unauthorized: {
    status: 401,
    where: "request",
    means: "a tenant or operator token is missing, unknown, revoked or expired",
  },
  forbidden: { status: 403, where: "request", means: "the request is refused (a refusal of the web framework)" },
  tenant_disabled: { status: 403, where: "request", means: "the tenant of a valid token is disabled" },
  not_found: { status: 404, where: "request", means: "no route answers this method and path" },
  unknown_tenant: { status: 404, where: "request", means: "no tenant has this id or name" },
  unknown_token: { status: 404, where: "request", means: "no token matches this reference" },
  unknown_archive_object: { status: 404, where: "request", means: "no object of the raw-event archive has this key" },
  method_not_allowed: { status: 405, where: "request", means: "the route does not take this method" },
  tenant_exists: { status: 409, where: "request", means: "a tenant of this name exists already" },
  ambiguous_token_ref: {
    status: 409,
    where: "request",
    means: "a token prefix matches several tokens: name one by id",
  },
  term_conflict: { status: 409, where: "request", means: "a term change would reopen a period that is billed already" },
  webhook_secret_unset: {
    status: 409,
    where: "request",
    means: "a tenant webhook endpoint needs BILLING_WEBHOOK_SECRET, which is not set",
  },
  payload_too_large: {
    status: 413,
    where: "request",
    means: "the body is over MAX_BODY_BYTES, or over MAX_DECOMPRESSED_BYTES inflated",
  },
  too_many_events: { status: 413, where: "request", means: "a batch carries more than MAX_EVENTS_PER_BATCH events" },
  too_many_reports: { status: 413, where: "request", means: "a request carries more usage reports than allowed" },
  unsupported_media_type: { status: 415, where: "request", means: "the Content-Type is not one the route reads" },
  unsupported_encoding: {
    status: 415,
    where: "request",
    means: "the Content-Encoding (or PostHog compression) is not supported",
  },
  rate_limited: {
    status: 429,
    where: "request",
    means: "a rate limit refused the request (Retry-After; the body names the limit)",
  },
  internal_error: { status: 500, where: "request", means: "an unexpected error, logged: a defect of the collector" },
  storage_unavailable: {
    status: 503,
    where: "request",
    means: "D1, a Queue or R2 did not answer (Retry-After): nothing is acknowledged, send the request again",
  },
  operator_api_disabled: { status: 503, where: "request", means: "ADMIN_TOKEN is unset or too weak for a deployment" },
  doctor_found_problems: { status: 503, where: "request", means: "GET /v1/admin/doctor: at least one check failed" },
  // One item of a batch (or, for `both`, a request that names one item).
  invalid_uuid: { status: 400, where: "both", means: "a uuid (report_uuid) is not a random UUID, version 4 or 7" },
  invalid_distinct_id: {
    status: 400,
    where: "both",
    means: "an install id is neither a random UUID nor a random-looking digest",
  },
  invalid_event: { status: 400, where: "item", means: "an event is not an object of the event shape" },
  event_too_large: { status: 400, where: "item", means: "an event is over MAX_EVENT_BYTES" },
  invalid_timestamp: { status: 400, where: "item", means: "an event's timestamp is not an RFC 3339 date-time" },
  unknown_event: { status: 400, where: "item", means: "the event is not in the catalogue for this app" },
  tenant_required: { status: 400, where: "item", means: "the event is accepted only with a tenant token" },
  too_old: { status: 400, where: "item", means: "an event or report is older than the collector accepts" },
  missing_property: { status: 400, where: "item", means: "a property the catalogue requires is missing" },
  invalid_property: { status: 400, where: "item", means: "a property's value does not fit its privacy class" },
  not_anonymized: { status: 400, where: "item", means: "a value that must be a digest is not a random-looking one" },
  pii_detected: { status: 400, where: "item", means: "a text value holds what looks like an identifier" },
  value_too_long: { status: 400, where: "item", means: "a string value is over its length cap" },
  invalid_report: { status: 400, where: "item", means: "a usage report does not have the report shape" },
  report_too_large: { status: 400, where: "item", means: "a usage report is over its size cap" },
  too_many_records: { status: 400, where: "item", means: "a usage report carries more records or ids than allowed" },
  invalid_window: {
    status: 400,
    where: "item",
    means: "a report's end is not after its start, or it starts in the future",
  },
  window_too_long: { status: 400, where: "item", means: "a report covers more time than its kind may" },
  before_tenant: { status: 400, where: "item", means: "a report starts before its tenant's billing began" },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode]["status"];

type CodesWhere<W> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]["where"] extends W ? K : never }[ErrorCode];
/** The codes a whole request may be refused with. */
export type RequestErrorCode = CodesWhere<"request" | "both">;
/** The codes one item of a batch may be refused with. */
export type ItemErrorCode = CodesWhere<"item" | "both">;

/** The HTTP status a request refused with `code` answers. */
export function codeToStatus(code: RequestErrorCode): ErrorStatus {
  return ERROR_CODES[code].status;
}

/** Every code, in the order above. */
export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
