import { readFile } from "node:fs/promises";
import { keccak256 } from "ethers";
import type { Bytes32 } from "../../../../src/consent/index.ts";
import {
  type DataCategory,
  dataCategories,
  encodeCategories,
  type PurposeLabel,
  purposeCodes,
} from "../../../../src/consent/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { usageError } from "../../usageError.ts";

/** The purpose a query declares when `--purpose` is not given: health/medical/biomedical research. */
export const DEFAULT_PURPOSE: readonly PurposeLabel[] = ["HMB"];

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * The use word of `--purpose`: DUO labels, exactly one permission (NRES, GRU, HMB, DS, POA,
 * CC) plus any conditions the research attests (NCU, NPU, IRB, …).
 *
 * @throws CustosError `CLI_USAGE` (flag `--purpose`) for an unknown label or not exactly one
 * permission.
 * @example
 * ```ts
 * useWordOf(["HMB", "NCU"]); // purposeCodes.HMB.bit | purposeCodes.NCU.bit
 * ```
 */
export function useWordOf(labels: readonly string[]): number {
  const fail = (message: string) => usageError("query", message, { flag: "--purpose" });
  let permissions = 0;
  let word = 0;
  for (const label of labels) {
    const code = Object.hasOwn(purposeCodes, label)
      ? purposeCodes[label as PurposeLabel]
      : undefined;
    if (code === undefined) {
      throw fail(`--purpose ${label} is no DUO code (${Object.keys(purposeCodes).join(", ")})`);
    }
    if (code.kind === "permission") permissions++;
    word |= code.bit;
  }
  if (permissions !== 1) {
    throw fail("--purpose must name exactly one permission (NRES, GRU, HMB, DS, POA or CC)");
  }
  return word >>> 0;
}

/**
 * The categories word of `--categories`: data category names (DEMOGRAPHICS, CONDITIONS, …),
 * which must include every category the spec reads (`required`): a hospital declines a spec
 * reading more than its query requested, since consent is checked for the requested ones.
 *
 * @throws CustosError `CLI_USAGE` (flag `--categories`) for an unknown name, none, or a
 * required category missing.
 * @example
 * ```ts
 * categoriesWordOf(["DEMOGRAPHICS", "VISITS", "CONDITIONS"], querySpecCategories(spec));
 * ```
 */
export function categoriesWordOf(
  names: readonly string[],
  required: readonly DataCategory[],
): number {
  const fail = (message: string) => usageError("query", message, { flag: "--categories" });
  if (names.length === 0) throw fail("--categories needs at least one category");
  for (const name of names) {
    if (!Object.hasOwn(dataCategories, name)) {
      throw fail(
        `--categories ${name} is no data category (${Object.keys(dataCategories).join(", ")})`,
      );
    }
  }
  const missing = required.filter((category) => !names.includes(category));
  if (missing.length > 0) {
    throw fail(`--categories must include those the spec reads; missing ${missing.join(", ")}`);
  }
  return encodeCategories(names as DataCategory[]);
}

/**
 * The approval reference of `--approval`: a 0x-prefixed bytes32 as given, or the keccak-256
 * of the named file's bytes (the review board's approval document).
 *
 * @throws CustosError `INVALID_ARGUMENT` (field `approval`) for a file that cannot be read.
 * @example
 * ```ts
 * const approvalRef = await approvalReference("ethics-approval.pdf");
 * ```
 */
export async function approvalReference(value: string): Promise<Bytes32> {
  if (BYTES32.test(value)) return value.toLowerCase() as Bytes32;
  try {
    return keccak256(await readFile(value)) as Bytes32;
  } catch (cause) {
    throw new CustosError("INVALID_ARGUMENT", `cannot read the approval document ${value}`, {
      details: { field: "approval", path: value },
      cause,
    });
  }
}
