/** Client-chosen values a delivery may add per app and day (versions, undeclared names), capped in code before SQL caps them again (plan.ts). */

/** The distinct values of a delivery per app and day, at most `cap` of them for each. */
export class CappedValues {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly cap: number) {}

  /** True if the value is kept (seen before in this delivery, or there was room for it). */
  add(app: string, day: string, value: string): boolean {
    const values = this.valuesOf(app, day);
    if (values.has(value)) return true;
    if (values.size >= this.cap) return false;
    values.add(value);
    return true;
  }

  /** True if the value is new to this delivery and there was room for it. */
  addNew(app: string, day: string, value: string): boolean {
    const values = this.valuesOf(app, day);
    if (values.has(value) || values.size >= this.cap) return false;
    values.add(value);
    return true;
  }

  private valuesOf(app: string, day: string): Set<string> {
    const key = `${app}\u0000${day}`;
    let values = this.seen.get(key);
    if (!values) {
      values = new Set<string>();
      this.seen.set(key, values);
    }
    return values;
  }
}
