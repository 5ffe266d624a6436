/**
 * The one spelling of "what does not fit": a value counted under no name of its own (an
 * undeclared property name the catalogue does not know, a version past the per-day cap, a group
 * too small to publish). It is stored, queried and shown, so every place uses this constant.
 */
export const OTHER = "(other)";
