/**
 * The Besu QBFT vectors of data/besu-qbft, read from their files (see its README): the hex
 * constants are taken out of the Rust and Java sources with the least parsing that finds
 * them, so the tests check the files as published.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hexToBytes } from "@ethereumjs/util";

const DIR = resolve(import.meta.dirname, "../../../../data/besu-qbft");

/** The text of a vector file, by its path under data/besu-qbft. */
export function vectorText(path: string): string {
  return readFileSync(join(DIR, path), "utf8");
}

/** Bytes of hex with or without 0x. */
export function hex(text: string): Uint8Array {
  return hexToBytes(text.startsWith("0x") ? (text as `0x${string}`) : `0x${text}`);
}

/** Every `hex!("…")` literal of a Rust file, in order. */
function rustHexLiterals(path: string): string[] {
  return [...vectorText(path).matchAll(/hex!\(\s*"([0-9a-f]+)"\s*\)/g)].map((m) => m[1] as string);
}

/** A Java string constant written as concatenated literals: `NAME = "0x…" + "…";`. */
export function javaConstant(path: string, name: string): string {
  const text = vectorText(path);
  const match = new RegExp(`${name}\\s*=\\s*((?:"[^"]*"\\s*\\+?\\s*)+);`).exec(text);
  if (match === null) throw new Error(`${name} not found in ${path}`);
  return [...(match[1] as string).matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("");
}

/** Every hex string literal (`"0x…"` possibly continued by `+ "…"`) of a Java file. */
export function javaHexStrings(path: string): string[] {
  const text = vectorText(path);
  return [...text.matchAll(/"(0x[0-9a-f]+)"((?:\s*\+\s*"[0-9a-f]+")*)/g)].map(
    (m) =>
      (m[1] as string) + [...(m[2] as string).matchAll(/"([0-9a-f]+)"/g)].map((p) => p[1]).join(""),
  );
}

const literals = rustHexLiterals("besu-qbft-elc/header.rs");
const headers = literals.filter((l) => l.length > 1000);

/** Real sealed Besu block #7528 (header.rs): 4 validators, round 1, 3 commit seals. */
export const block7528 = {
  /** Header RLP with its 3 commit seals. */
  sealed: hex(headers[0] as string),
  /** The same header without seals: its keccak is the commit-seal hash. */
  unsealed: hex(headers[1] as string),
  /** Asserted by header.rs's test. */
  commitSealHash: "0x75ea184f58cd3f0ef89032a069df01f07ec524ef3a85cf6d3e424d62130c0a32",
  /** Derived from Besu's rules (data/besu-qbft/README.md). */
  onchainHash: "0x502568a07cc2303558ed8eea495d61255946a14c46be5ead61cdc737bdeaaf42",
  validators: [
    "0x647bfdd19655e51e69d35454ff3a92f8828e6302",
    "0xa5c8416b9d13417b45b45ada76408f39d1e504ef",
    "0xb92e91f4dcc9d28503be521afa2a8fbf3c1acf60",
    "0xee3353e587cfa91625a1adaef308a726de3803d3",
  ] as readonly string[],
  /** The three committers the README names, by prefix. */
  committerPrefixes: ["0x647bfdd1", "0xee3353e5", "0xa5c8416b"] as readonly string[],
} as const;

/** The two extraData literals of header.rs's `test_parse_header_extra` (1 and 4 validators). */
export const headerRsExtraData = literals
  .filter((l) => l.length < 1000 && /^f[89]/.test(l))
  .map(hex);
