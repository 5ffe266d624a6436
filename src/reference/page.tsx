import type { OpenApiDocument } from "./document";

/**
 * The API reference as one HTML page, drawn on the server from the OpenAPI document: every
 * operation with its parameters, body and answers, and the error codes. No script, no request
 * beyond the page (its stylesheet is inline under the response's CSP nonce).
 */

const css = `
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:16px}
h1{font-size:24px}h2{font-size:19px;margin-top:32px}h3{font-size:16px;margin:0}
section.op{background:#fff;border:1px solid #d5dae0;border-radius:6px;padding:12px 16px;margin:12px 0}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f1f3f5;padding:8px;overflow:auto;border-radius:4px;max-height:320px}
.method{display:inline-block;min-width:56px;font-weight:700;text-transform:uppercase}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d5dae0;padding:4px 8px;text-align:left;vertical-align:top}
a{color:#0b57d0}
nav a{margin-right:12px}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
`;

type Json = Record<string, unknown>;
const asJson = (value: unknown): Json => (value !== null && typeof value === "object" ? (value as Json) : {});
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function Operation({ method, path, op }: { method: string; path: string; op: Json }) {
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  const body = asJson(asJson(op.requestBody).content);
  const responses = asJson(op.responses);
  return (
    <section class="op" id={`${method}-${path}`}>
      <h3>
        <span class="method">{method}</span> <code>{path}</code>
      </h3>
      <p>{String(op.summary ?? "")}</p>
      {op.description ? <p>{String(op.description)}</p> : null}
      {parameters.length > 0 ? (
        <table>
          <caption>Parameters</caption>
          <tbody>
            {parameters.map((p) => (
              <tr>
                <td>
                  <code>{String(p.name)}</code>
                </td>
                <td>{String(p.in)}</td>
                <td>{p.required ? "required" : "optional"}</td>
                <td>
                  <code>{JSON.stringify(p.schema)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {Object.entries(body).map(([type, media]) => (
        <details>
          <summary>{`Body (${type})`}</summary>
          <pre>{pretty(asJson(media).schema)}</pre>
        </details>
      ))}
      {Object.entries(responses).map(([status, response]) => (
        <details>
          <summary>{`${status}: ${String(asJson(response).description ?? "")}`}</summary>
          {Object.entries(asJson(asJson(response).content)).map(([type, media]) => (
            <pre>{`${type}\n${pretty(asJson(media).schema)}`}</pre>
          ))}
        </details>
      ))}
    </section>
  );
}

export function ReferencePage({ document, nonce }: { document: OpenApiDocument; nonce: string }) {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(asJson(item)).map(([method, op]) => ({ path, method, op: asJson(op) })),
  );
  const tags = [...new Set(operations.map(({ op }) => String((op.tags as string[] | undefined)?.[0] ?? "other")))];
  const description = String(document.info.description ?? "");
  const [intro, table = ""] = description.split("## Error codes");
  const codeRows = table
    .trim()
    .split("\n")
    .slice(2)
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, "")),
    );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${document.info.title} API reference`}</title>
        <link rel="icon" href="data:," />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: css }} />
      </head>
      <body>
        <main>
          <h1>{`${document.info.title} API reference`}</h1>
          <p>{intro?.trim()}</p>
          <p>
            The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI {document.openapi}).
          </p>
          <nav aria-label="Sections">
            {tags.map((tag) => (
              <a href={`#${tag.replace(/\s/g, "-")}`}>{`${tag} `}</a>
            ))}
            <a href="#schemas">schemas </a>
            <a href="#error-codes">error codes</a>
          </nav>
          {tags.map((tag) => (
            <>
              <h2 id={tag.replace(/\s/g, "-")}>{tag}</h2>
              {operations
                .filter(({ op }) => String((op.tags as string[] | undefined)?.[0] ?? "other") === tag)
                .map(({ path, method, op }) => (
                  <Operation method={method} path={path} op={op} />
                ))}
            </>
          ))}
          <h2 id="schemas">Schemas</h2>
          {Object.entries(asJson(asJson(document.components).schemas)).map(([name, schema]) => (
            <details id={`schema-${name}`}>
              <summary>
                <code>{name}</code>
              </summary>
              <pre>{pretty(schema)}</pre>
            </details>
          ))}
          <h2 id="error-codes">Error codes</h2>
          <table>
            <thead>
              <tr>
                <th>code</th>
                <th>status</th>
                <th>where</th>
                <th>means</th>
              </tr>
            </thead>
            <tbody>
              {codeRows.map(([code, status, where, means]) => (
                <tr>
                  <td>
                    <code>{code}</code>
                  </td>
                  <td>{status}</td>
                  <td>{where}</td>
                  <td>{means}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </main>
      </body>
    </html>
  );
}
