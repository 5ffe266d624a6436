import { describe, expect, it } from "vitest";
import { definitionProblems } from "../../src/catalog/consistency";
import { catalogue } from "../../src/catalog/definition";
import { call } from "../helpers/harness";

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
    const res = await call("/v1/catalog");
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
      "id",
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

  it("refuses a PostHog mapping that reads an address, fills no common property, or a value its enum lacks", () => {
    const problems = definitionProblems({
      apps: {
        web: {
          description: "",
          commonProperties: { os: { class: "enum", description: "", values: ["linux"] } },
          dimensions: {},
          posthog: {
            properties: {
              $ip: { to: "os" },
              $geoip_country_code: { to: "os" },
              $browser: { to: "browser" },
              $os: { to: "os", values: { Linux: "linux", Windows: "win32" } },
              os_name: { to: "os" },
            },
            personProperties: { "web.os": { to: "platform" } },
          },
        },
      },
      events: {},
    });
    const text = problems.join("\n");
    expect(text).toMatch(/"\$ip" carries the client's address/);
    expect(text).toMatch(/"\$geoip_country_code" carries the client's address/);
    expect(text).toMatch(/"\$browser" maps to "browser", which is not a common property/);
    expect(text).toMatch(/"\$os" maps to "win32", not a value of "os"/);
    expect(text).toMatch(/"os_name" is not an SDK \(\$\) property/);
    expect(text).toMatch(/person property "web.os" maps to "platform"/);
    expect(problems).toHaveLength(6);
  });
});

describe("the PostHog mapping, as GET /v1/catalog publishes it", () => {
  it("lists each SDK property the front door maps, and the person properties that fill common ones", async () => {
    const res = await call("/v1/catalog");
    const published = (await res.json()) as {
      never_stored: string[];
      apps: { name: string; posthog: { properties: unknown[]; person_properties: { from: string; to: string }[] } }[];
    };
    const connect = published.apps.find((a) => a.name === "teleport-connect");
    expect(connect?.posthog.properties).toEqual([
      { from: "$os", to: "os", values: { "Mac OS X": "darwin", macOS: "darwin", Linux: "linux", Windows: "win32" } },
      { from: "$app_version", to: "app_version" },
    ]);
    expect(connect?.posthog.person_properties).toEqual(
      expect.arrayContaining([
        { from: "os", to: "os" },
        { from: "app_version", to: "app_version" },
        { from: "connect.os", to: "os" },
        { from: "connect.arch", to: "arch" },
        { from: "connect.os_version", to: "os_version" },
        { from: "connect.app_version", to: "app_version" },
      ]),
    );
    expect(published.never_stored.join(" ")).toMatch(/\$ip/);
  });
});
