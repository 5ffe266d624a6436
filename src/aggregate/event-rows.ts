/**
 * A shard's events as the "checked" way binds them (statements.ts): `[uuid, at, group, install,
 * [property group…]]` each, with indexes into the shard plan's `groups` and `installs` and into
 * its insights' `propertyGroups`. A delivery almost always goes the "all new" way, which binds
 * packs, not events: so the plan keeps each event's fields in flat arrays, and the JSON rows are
 * made only when a statement needs them. (A string per event, made for every delivery, was a
 * third of the plan's time, most of it the garbage collector's.)
 */
export class EventRows {
  private readonly uuids: string[] = [];
  private readonly at: number[] = [];
  private readonly group: number[] = [];
  private readonly install: number[] = [];
  /** Event i's property groups are `propertyGroups[groupsFrom[i]]` up to `groupsFrom[i + 1]`. */
  private readonly groupsFrom: number[] = [0];
  /** Where an event's property groups go as it is planned: `add` closes them. */
  readonly propertyGroups: number[] = [];

  get length(): number {
    return this.uuids.length;
  }

  /** Adds an event, after its property groups were pushed onto `propertyGroups`. */
  add(uuid: string, at: number, group: number, install: number): void {
    this.uuids.push(uuid);
    this.at.push(at);
    this.group.push(group);
    this.install.push(install);
    this.groupsFrom.push(this.propertyGroups.length);
  }

  /** Each event's row as JSON text, in the order they were added. */
  json(): string[] {
    return this.uuids.map((uuid, i) => {
      const groups = this.propertyGroups.slice(this.groupsFrom[i], this.groupsFrom[i + 1]);
      return `["${uuid}",${this.at[i]},${this.group[i]},${this.install[i]},[${groups.join(",")}]]`;
    });
  }
}
