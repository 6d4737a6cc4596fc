import { getAddress } from "ethers";
import type { AuditContracts, QuerySummary } from "../audit/index.ts";
import type { Hex } from "../ledger/index.ts";
import { exportInputInvalid } from "./exportInputInvalid.ts";

/** Finds a query's summary by its decimal id (undefined: not known). */
export type AuditQueryLookup = (queryId: string) => QuerySummary | undefined;

/**
 * What an AuditEvent says besides its audit entry: which chain, which node observed it, the
 * contract addresses, and the queries' summaries. Only a summary's submission fields are
 * read (researcher, purpose, request), which never change, so an export made later of the
 * same entries is byte for byte the same.
 */
export interface AuditExportContext {
  /** The chain's EIP-155 id (genesis `chainId`). */
  readonly chainId: number;
  /** The node observing the chain and recording the events, as it names itself (e.g. its validator address). */
  readonly observer: string;
  /** The three Custos contracts (genesis `contracts`). */
  readonly contracts: AuditContracts;
  /**
   * Summaries of the queries the entries belong to: required for results and declines (the
   * researcher and the request), used for the purpose of approvals and closes.
   */
  readonly querySummary?: AuditQueryLookup;
}

/** A context whose fields are checked and whose addresses are EIP-55. */
export interface CheckedAuditExportContext extends AuditExportContext {
  readonly contracts: { readonly [K in keyof AuditContracts]: Hex };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Checks an export context and checksums its contract addresses.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` naming the field.
 * @example
 * ```ts
 * checkAuditExportContext({ chainId: 1337, observer: "node-1", contracts: genesis.contracts });
 * ```
 */
export function checkAuditExportContext(context: AuditExportContext): CheckedAuditExportContext {
  const { chainId, observer, contracts, querySummary } = context;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw exportInputInvalid("context.chainId", "must be a positive safe integer");
  }
  if (typeof observer !== "string" || observer.trim() === "") {
    throw exportInputInvalid("context.observer", "must be a non-empty string");
  }
  if (querySummary !== undefined && typeof querySummary !== "function") {
    throw exportInputInvalid("context.querySummary", "must be a function");
  }
  const address = (name: keyof AuditContracts): Hex => {
    const value = contracts?.[name];
    if (typeof value !== "string" || !ADDRESS.test(value)) {
      throw exportInputInvalid(`context.contracts.${name}`, "must be a 20-byte hex address");
    }
    try {
      return getAddress(value) as Hex;
    } catch {
      throw exportInputInvalid(`context.contracts.${name}`, "has a wrong EIP-55 checksum");
    }
  };
  return {
    ...context,
    contracts: {
      consortium: address("consortium"),
      consentRegistry: address("consentRegistry"),
      accessLedger: address("accessLedger"),
    },
  };
}
