import { randomBytes, toBase64Url, toHex } from "../lib/bytes";
import { sha256 } from "../lib/crypto";

/**
 * A tenant token is `ehk_` followed by 43 base64url characters: 32 random bytes, 256 bits.
 * The fixed prefix lets secret scanners (and people) recognise a leaked token. Only its
 * SHA-256 is stored; its first 12 characters are kept in clear to recognise it in a list.
 */
export const TOKEN_PREFIX = "ehk_";
export const TOKEN_RANDOM_BYTES = 32;
export const TOKEN_PATTERN = /^ehk_[A-Za-z0-9_-]{43}$/;
/** How many leading characters are stored in clear to recognise a token: `ehk_` + 8. */
export const DISPLAY_PREFIX_LENGTH = 12;
export const DISPLAY_PREFIX_PATTERN = /^ehk_[A-Za-z0-9_-]{8}$/;
export const TOKEN_ID_PATTERN = /^tok_[0-9a-f]{16}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** A fresh token from the platform's CSPRNG. */
export function generateToken(): string {
  return TOKEN_PREFIX + toBase64Url(randomBytes(TOKEN_RANDOM_BYTES));
}

/** A random id with a readable type prefix, such as `tok_1f0c…` or `tn_9a3e…`. */
export function randomId(prefix: "tok_" | "tn_", bytes: number): string {
  return prefix + toHex(randomBytes(bytes));
}

/**
 * The stored form of a token: lowercase hex SHA-256 of its UTF-8 bytes. A plain (unsalted,
 * fast) hash is enough: the token carries 256 random bits, so there is nothing to
 * brute-force, unlike a password.
 */
export async function hashToken(token: string): Promise<string> {
  return toHex(await sha256(token));
}
