import { describe, expect, it } from "vitest";
import { countByError, judgeEach, refuse } from "../../src/http/judge";

const A = "6f1c0a36-2c4b-4b8e-9a55-0d1c2b3a4f5e";
const B = "0b7e5f8a-1d2c-4e3f-8a9b-7c6d5e4f3a2b";

describe("judgeEach: one item at a time", () => {
  const judge = (raw: unknown) => {
    const item = raw as { id?: string; ok?: boolean };
    return item.ok && item.id
      ? { ok: true as const, id: item.id.toLowerCase(), value: item.id }
      : refuse("invalid_event", "no");
  };

  it("keeps the good items, rejects the bad ones with index and claimed id, and counts repeats once", () => {
    const result = judgeEach(
      [
        { id: A, ok: true },
        { id: B.toUpperCase(), ok: false },
        { id: A.toUpperCase(), ok: true },
        "x",
        { id: "not-a-uuid" },
      ],
      "id",
      judge,
    );
    expect(result.accepted).toEqual([A]);
    expect(result.duplicates).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, id: B, error: "invalid_event", message: "no" },
      { index: 3, error: "invalid_event", message: "no" },
      { index: 4, error: "invalid_event", message: "no" },
    ]);
    expect(countByError(result.rejected)).toEqual({ invalid_event: 3 });
  });

  it("names the field when the judge does", () => {
    expect(judgeEach([{}], "uuid", () => refuse("missing_property", "m", "properties.x")).rejected).toEqual([
      { index: 0, error: "missing_property", field: "properties.x", message: "m" },
    ]);
  });
});
