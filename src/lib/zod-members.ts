/**
 * What `z` holds (./zod.ts): the members of zod's classic API the collector uses, by name, so
 * that the bundle keeps these and what they need, and none of zod's locales or unused builders.
 * Every type of zod stays available (`z.infer`, `z.ZodObject`…); a value not listed here
 * (`z.email()`, say) fails the type check until it is added.
 */
export type * from "zod/v4";
export {
  array,
  boolean,
  coerce,
  custom,
  discriminatedUnion,
  enum,
  iso,
  literal,
  looseObject,
  NEVER,
  null,
  number,
  object,
  prettifyError,
  record,
  strictObject,
  string,
  tuple,
  union,
  unknown,
  uuid,
  ZodError,
  ZodType,
} from "zod/v4";
export * as core from "./zod-core";
