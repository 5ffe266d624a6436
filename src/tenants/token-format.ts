/**
 * A tenant token is `ehk_` followed by 43 base64url characters: 32 random bytes, 256 bits.
 * The fixed prefix lets secret scanners (and people) recognise a leaked token.
 */
export const TOKEN_PREFIX = "ehk_";
export const TOKEN_RANDOM_BYTES = 32;
export const TOKEN_PATTERN = /^ehk_[A-Za-z0-9_-]{43}$/;
/** How many leading characters are stored in clear to recognise a token: `ehk_` + 8. */
export const DISPLAY_PREFIX_LENGTH = 12;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** A fresh token from the platform's CSPRNG. */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_RANDOM_BYTES));
  return TOKEN_PREFIX + base64url(bytes);
}

/** A random id with a readable type prefix, such as `tok_1f0c…` or `tn_9a3e…`. */
export function randomId(prefix: "tok_" | "tn_", bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
