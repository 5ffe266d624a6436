/**
 * The anonymizer, byte-compatible with Teleport's Go `HMACAnonymizer`: HMAC-SHA256 keyed with
 * the UTF-8 bytes of the key string (no derivation), standard base64 (with padding) of the
 * 32-byte MAC. It runs wherever `crypto.subtle` does: the client SDK, Node, the tests.
 * The collector never computes digests itself: it only checks that fields already are digests.
 */
const utf8 = new TextEncoder();

export class Anonymizer {
  private constructor(private readonly key: CryptoKey) {}

  static async create(key: string): Promise<Anonymizer> {
    if (key.trim() === "") throw new Error("HMAC key must not be empty");
    const cryptoKey = await crypto.subtle.importKey("raw", utf8.encode(key), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    return new Anonymizer(cryptoKey);
  }

  /** The 44-character digest of `value` (the empty string has a digest too, as in Go). */
  async anonymize(value: string): Promise<string> {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", this.key, utf8.encode(value)));
    let binary = "";
    for (const byte of mac) binary += String.fromCharCode(byte);
    return btoa(binary);
  }
}
