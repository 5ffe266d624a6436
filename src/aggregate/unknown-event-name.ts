import { catalogue } from "../catalog/definition";
import { OTHER } from "../lib/other";

/**
 * The name an unknown event is counted under, checked again where it is stored: the message
 * carries what the ingest core kept (a catalogue name or "(other)"), and a message from
 * anywhere else (a re-driven one, a hand-made one) must not store a name outside that set.
 */
export function unknownEventName(name: string): string {
  return Object.hasOwn(catalogue.events, name) ? name : OTHER;
}
