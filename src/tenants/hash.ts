const utf8 = new TextEncoder();

/**
 * The stored form of a token: lowercase hex SHA-256 of its UTF-8 bytes. scripts/tenant.mjs
 * computes the same with Node's `createHash("sha256")`, so both sides must stay in step.
 * A plain (unsalted, fast) hash is enough here: the token carries 256 random bits, so there
 * is nothing to brute-force, unlike a password.
 */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
