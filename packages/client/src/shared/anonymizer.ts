import { toBase64 } from "./bytes.js";
import { hmacKey, hmacSha256 } from "./hmac.js";

/**
 * The anonymizer, byte-compatible with Teleport's Go `HMACAnonymizer`: HMAC-SHA256 keyed with
 * the UTF-8 bytes of the key string (no derivation), standard base64 (with padding) of the
 * 32-byte MAC. It runs wherever `crypto.subtle` does: the client SDK, Node, the tests.
 * The collector never computes digests itself: it only checks that fields already are digests.
 */
export class Anonymizer {
  private constructor(private readonly key: CryptoKey) {}

  static async create(key: string): Promise<Anonymizer> {
    if (key.trim() === "") throw new Error("HMAC key must not be empty");
    return new Anonymizer(await hmacKey(key));
  }

  /** The 44-character digest of `value` (the empty string has a digest too, as in Go). */
  async anonymize(value: string): Promise<string> {
    return toBase64(await hmacSha256(this.key, value));
  }
}
