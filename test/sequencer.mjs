// @ts-check
/**
 * The order in which vitest starts the test files (vitest.config.mts, `sequence.sequencer`):
 * vitest's own — a file that failed last time first, then one it has not timed yet, then the
 * longest — without its rule that every file of one project starts before any of the next.
 * Under that rule `npm test` held all its slots with end-to-end files for their first minute,
 * though those files mostly wait (on wrangler dev, on queue retry delays, on child processes);
 * longest first across projects, the longest waits start first and the workers files' work
 * fills the time they spend waiting.
 */
import { relative } from "node:path";
import { BaseSequencer } from "vitest/node";

/**
 * What orders a test file.
 * @typedef {object} FileRecord
 * @property {number} groupOrder its project's `sequence.groupOrder` (vitest runs groups one after another)
 * @property {boolean} failed whether it failed the last time it ran
 * @property {number | undefined} duration how long it took the last time, in ms; undefined if it never ran
 * @property {number} size its size in bytes, what orders files never timed
 */

/**
 * The comparison: by group, failed first, never timed next, then the longest first (the largest
 * among files never timed).
 * @param {FileRecord} a
 * @param {FileRecord} b
 */
export function longestFirst(a, b) {
  if (a.groupOrder !== b.groupOrder) return a.groupOrder - b.groupOrder;
  if (a.failed !== b.failed) return a.failed ? -1 : 1;
  if (a.duration === undefined || b.duration === undefined) {
    if (a.duration !== b.duration) return a.duration === undefined ? -1 : 1;
    return b.size - a.size;
  }
  return b.duration - a.duration;
}

export default class LongestFirstSequencer extends BaseSequencer {
  /**
   * @override
   * @param {import("vitest/node").TestSpecification[]} files
   */
  async sort(files) {
    const { cache, config } = this.ctx;
    /** @type {Map<import("vitest/node").TestSpecification, FileRecord>} */
    const records = new Map();
    for (const spec of files) {
      const key = `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
      const last = cache.getFileTestResults(key);
      records.set(spec, {
        groupOrder: spec.project.config.sequence.groupOrder,
        failed: last?.failed ?? false,
        duration: last?.duration,
        size: cache.getFileStats(key)?.size ?? 0,
      });
    }
    const recordOf = (/** @type {import("vitest/node").TestSpecification} */ spec) =>
      /** @type {FileRecord} */ (records.get(spec));
    return [...files].sort((a, b) => longestFirst(recordOf(a), recordOf(b)));
  }
}
