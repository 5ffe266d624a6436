import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CompiledProperty, findApp, isKnownPropertyName } from "../../src/catalog/compile";
import { catalogue } from "../../src/catalog/definition";
import { checkFor } from "../../src/catalog/property-checks";
import { installId, randomUuid } from "../../src/privacy/ids";
import { isRestrictedText } from "../../src/privacy/text";
import { isVersion, reducedKernelVersion } from "../../src/privacy/version";
import { disguisedIdentifier, readable } from "../helpers/identifiers";
import { legitimate } from "../helpers/legitimate-values";

/**
 * Every string class the collector stores is an allow-list grammar in which no identifier can be
 * written: over identifiers in many disguises and embeddings, none is accepted as sent by any
 * catalogue property's check, by the id checks or as a counted property name, and what a
 * declared reduction stores instead never contains it. The converse: real values are accepted,
 * and the false-refusal rate over them is printed.
 */

const SEED = 20261206;
const RUNS = 4000;

/**
 * Every compiled property of every event of every app, named `app/event/property`: one per
 * distinct declaration (events share many, Teleport's cluster events most), so that the suite
 * tries each class and value list once per identifier.
 */
const properties: [string, CompiledProperty][] = [
  ...new Map(
    Object.keys(catalogue.apps).flatMap((appName) =>
      [...(findApp(appName)?.events.values() ?? [])].flatMap((event) =>
        event.properties.map((property): [string, [string, CompiledProperty]] => {
          const { description: _, ...spec } =
            catalogue.events[event.name]?.properties[property.name] ??
            catalogue.apps[appName]?.commonProperties[property.name] ??
            ({ description: "" } as never);
          return [JSON.stringify(spec), [`${appName}/${event.name}/${property.name}`, property]];
        }),
      ),
    ),
  ).values(),
];
const textCheck = checkFor({ class: "text", description: "", maxLength: 64, maxWords: 4 });

/** Renderings of only letters, dashes and spaces: a text class cannot tell them from words (its documented limit). */
const LETTERS_ONLY = /^[A-Za-z -]+$/;

describe("no identifier is accepted as sent by any stored-string class", () => {
  it("catalogue properties, ids, counted names; reductions never keep the identifier", () => {
    const seen = new Map<string, number>();
    let lettersOnly = 0;
    fc.assert(
      fc.property(disguisedIdentifier, ({ how, kind, plain, sent }) => {
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        const hidden = readable(plain);
        for (const [name, property] of properties) {
          // Checked plainly, and asserted only when wrong: thousands of runs × every declaration.
          if (property.check(sent) === undefined) expect.fail(`${name} accepted ${JSON.stringify(sent)} (${how})`);
          const stored = property.reduce?.(sent);
          if (typeof stored === "string") {
            if (property.check(stored) !== undefined) expect.fail(`${name} stores ${stored}, outside its class`);
            if (readable(stored).includes(hidden)) expect.fail(`${name} stores ${stored} for ${sent}`);
          }
        }
        expect(isVersion(sent), how).toBe(false);
        expect(randomUuid(sent), how).toBeUndefined();
        expect(installId(sent), how).toBeUndefined();
        expect(isKnownPropertyName(sent), how).toBe(false);
        if (LETTERS_ONLY.test(sent)) lettersOnly++;
        else expect(textCheck(sent), `text accepted ${JSON.stringify(sent)} (${how})`).not.toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `identifiers tried: ${RUNS} (seed ${SEED}), by kind ${JSON.stringify(Object.fromEntries(seen))}; ` +
        `letters-only renderings not tried on the text class: ${lettersOnly}`,
    );
    expect(seen.size).toBe(10);
  });

  it("a kernel release is reduced to its core and flavour, an address or a host is not", () => {
    expect(reducedKernelVersion("6.5.0-14-generic")).toBe("6.5.0-generic");
    expect(reducedKernelVersion("5.14.0-362.8.1.el9_3.x86_64")).toBe("5.14.0-el");
    expect(reducedKernelVersion("5.15.153.1-microsoft-standard-WSL2")).toBe("5.15.153-wsl");
    expect(reducedKernelVersion("6.5.0-alice-laptop.corp.example.com")).toBe("6.5.0");
    for (const value of ["10.1.2.3", "10.1.2.3 x", "ip-10-0-0-1.ec2.internal", "555-123-4567", "123.45.6789-x"]) {
      expect(reducedKernelVersion(value), value).toBeUndefined();
    }
  });

  it("the text class takes short words of its alphabet only", () => {
    const bounds = { maxLength: 64, maxWords: 4 };
    for (const value of ["Software Engineer", "R&D Lead", "Head of Platform", "O'Neil (acting)"]) {
      expect(isRestrictedText(value, bounds), value).toBe(true);
    }
    for (const value of ["SRE 2", "a.b", "a  b", " a", "one two three four five", "Engineer at Acme", "ＳＲＥ"]) {
      expect(isRestrictedText(value, bounds), value).toBe(false);
    }
  });
});

describe("real values are accepted", () => {
  const app = findApp("teleport-connect");
  const property = (event: string, name: string) => {
    const found = app?.events.get(event)?.byName.get(name);
    if (!found) throw new Error(`${event}/${name} is not in the catalogue`);
    return found;
  };
  const asSent = (p: CompiledProperty, value: string) => p.check(value) === undefined;
  const storable = (p: CompiledProperty, value: string) => asSent(p, value) || p.reduce?.(value) !== undefined;

  it("versions, OS releases, job roles, setup steps and connector types; the false-refusal rate is printed", () => {
    const appVersion = property("connect.protocol.use", "app_version");
    const osVersion = property("connect.protocol.use", "os_version");
    const cases: [string, readonly string[], (value: string) => boolean][] = [
      ["app_version (refuses)", legitimate.versions, (v) => asSent(appVersion, v)],
      ["os_version (reduces)", legitimate.osReleases, (v) => storable(osVersion, v)],
      ["job_role", legitimate.jobRoles, (v) => asSent(property("connect.user.job_role", "job_role"), v)],
      [
        "failed_step",
        legitimate.setupSteps,
        (v) => asSent(property("connect.connectMyComputer.setup", "failed_step"), v),
      ],
      [
        "connector_type",
        legitimate.connectorTypes,
        (v) => asSent(property("connect.cluster.login", "connector_type"), v),
      ],
    ];
    let total = 0;
    const refused: string[] = [];
    for (const [name, values, accepts] of cases) {
      total += values.length;
      for (const value of values) if (!accepts(value)) refused.push(`${name}: ${value}`);
    }
    console.log(
      `legitimate values: ${total}, refused: ${refused.length} (${((100 * refused.length) / total).toFixed(1)} %): ${refused.join("; ")}`,
    );
    // An Electron nightly carries its date (8 digits): past the digit bound, by design.
    expect(refused).toEqual(["app_version (refuses): 31.0.0-nightly.20240412"]);
  });
});
