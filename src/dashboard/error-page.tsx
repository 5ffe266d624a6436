import type { Context } from "hono";
import { type ErrorAnswer, errorAnswerOf, handleError } from "../http/errors";
import type { DashboardEnv } from "./renderer";
import { acceptsHtml, safeNext } from "./session";

/**
 * The dashboard's `onError`. A browser that hits an error on a dashboard page (the database
 * down, a path that is no page, a form refused) gets a page, not JSON: the status, what went
 * wrong, and a way back, under the same CSP and no-store as every dashboard answer, with the
 * error's own headers (a 503's or a 429's Retry-After). A script still gets the API's JSON.
 */

const REASONS: Partial<Record<number, string>> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Refused",
  404: "Page not found",
  405: "Method not allowed",
  413: "Too large",
  415: "Not a form",
  429: "Too many requests",
  500: "Something went wrong",
  503: "Temporarily unavailable",
};

/** "the database could not be read" → "The database could not be read." */
const sentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? "" : "."}`;

function ErrorPage({ answer, retryAt }: { answer: ErrorAnswer; retryAt: string | undefined }) {
  const retryAfter = answer.headers["Retry-After"];
  return (
    <main id="main" class="login">
      <h1>{REASONS[answer.status] ?? "Error"}</h1>
      <p class="card alert" role="alert">
        {sentence(answer.body.message)}
      </p>
      {retryAfter ? <p>{`Try again in ${retryAfter} s.`}</p> : null}
      <p class="muted">
        {`HTTP ${answer.status}, `}
        <code>{answer.body.error}</code>
      </p>
      <ul class="quick">
        {retryAt ? (
          <li>
            <a href={retryAt}>Try again</a>
          </li>
        ) : null}
        <li>
          <a href="/dashboard">Back to the dashboard</a>
        </li>
      </ul>
    </main>
  );
}

export function dashboardError(err: Error, c: Context<DashboardEnv>): Response | Promise<Response> {
  if (!acceptsHtml(c)) return handleError(err, c);
  const answer = errorAnswerOf(err);
  for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
  const url = new URL(c.req.url);
  // A page that may answer later is offered again: its own address, if it is a dashboard page's.
  const retryAt =
    answer.headers["Retry-After"] && c.req.method === "GET" ? safeNext(url.pathname + url.search) : undefined;
  c.status(answer.status);
  return c.render(<ErrorPage answer={answer} retryAt={retryAt} />, {
    title: `${answer.status} ${REASONS[answer.status] ?? "Error"}`,
  });
}
