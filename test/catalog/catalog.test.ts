import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { definitionProblems } from "../../src/catalog/consistency";
import { catalogue } from "../../src/catalog/definition";

interface PublishedProperty {
  name: string;
  class: string;
  required: boolean;
  values?: string[];
}
interface PublishedCatalogue {
  apps: { name: string; events: { name: string; tenant_only: boolean; properties: PublishedProperty[] }[] }[];
  privacy_classes: Record<string, string>;
}

const connectEvents = [
  "connect.cluster.login",
  "connect.protocol.use",
  "connect.accessRequest.create",
  "connect.accessRequest.review",
  "connect.accessRequest.assumeRole",
  "connect.fileTransfer.run",
  "connect.user.job_role",
  "connect.connectMyComputer.setup",
  "connect.connectMyComputer.agentStart",
];

describe("GET /v1/catalog", () => {
  it("publishes every Teleport Connect event with its privacy classes", async () => {
    const res = await exports.default.fetch("http://edgehog.test/v1/catalog");
    expect(res.status).toBe(200);
    const published = (await res.json()) as PublishedCatalogue;
    const connect = published.apps.find((a) => a.name === "teleport-connect");
    expect(connect?.events.map((e) => e.name)).toEqual(connectEvents);

    const login = connect?.events.find((e) => e.name === "connect.cluster.login");
    expect(login?.properties).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "cluster_name", class: "anonymized", required: true }),
        expect.objectContaining({ name: "user_name", class: "anonymized", required: true }),
        expect.objectContaining({
          name: "connector_type",
          class: "enum",
          values: ["local", "github", "saml", "oidc", "passwordless"],
        }),
      ]),
    );
    expect(Object.keys(published.privacy_classes).sort()).toEqual([
      "anonymized",
      "bool",
      "count",
      "enum",
      "text",
      "version",
    ]);
  });

  it("marks every cluster and user name as anonymized", () => {
    for (const [name, event] of Object.entries(catalogue.events)) {
      for (const field of ["cluster_name", "user_name"]) {
        if (field in event.properties) expect(event.properties[field]?.class, `${name}.${field}`).toBe("anonymized");
      }
    }
  });
});

describe("catalogue consistency", () => {
  it("finds no problem in the shipped catalogue", () => {
    expect(definitionProblems(catalogue)).toEqual([]);
  });

  it("catches an event for an undeclared app, an empty enum and a dangling dimension", () => {
    const problems = definitionProblems({
      apps: { web: { description: "", commonProperties: {}, dimensions: { os: "platform" } } },
      events: {
        "web.click": {
          description: "",
          apps: ["web", "desktop"],
          properties: { button: { class: "enum", description: "", values: [] } },
        },
      },
    });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/undeclared app "desktop"/);
    expect(problems.join("\n")).toMatch(/enum with no values/);
    expect(problems.join("\n")).toMatch(/dimension os names "platform"/);
  });
});
