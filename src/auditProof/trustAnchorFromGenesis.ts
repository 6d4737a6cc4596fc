import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../errors/index.ts";
import { checkTrustAnchor } from "./checkTrustAnchor.ts";
import { bytesToHex, hexToBytes } from "./hexBytes.ts";
import { encodeRlp } from "./rlp.ts";
import type { ChainContracts, TrustAnchor, TrustedCheckpoint } from "./TrustAnchor.ts";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function invalid(field: string, reason: string): CustosError {
  return new CustosError("GENESIS_INVALID", `genesis ${field}: ${reason}`, {
    details: { field, reason },
  });
}

function address(value: unknown, field: string): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) {
    throw invalid(field, "is not a 20-byte hex address");
  }
  return value.toLowerCase();
}

/** The CREATE address of `deployer`'s contract of `nonce`: keccak(rlp([deployer, nonce]))[12..]. */
function createAddress(deployer: string, nonce: number): string {
  const nonceBytes = nonce === 0 ? new Uint8Array(0) : Uint8Array.of(nonce);
  const hash = keccak_256(encodeRlp([hexToBytes(deployer) as Uint8Array, nonceBytes]));
  return bytesToHex(hash.subarray(12));
}

function sortedSet(addresses: readonly string[], field: string): string[] {
  const sorted = [...addresses].sort();
  sorted.forEach((value, i) => {
    if (i > 0 && value === sorted[i - 1]) throw invalid(field, `lists ${value} twice`);
  });
  return sorted;
}

/**
 * The trust anchor of a Custos genesis document (`custos genesis`, the dev chain's
 * `dev-genesis.json`): its chain id, its validators sorted (the set in force from block 0),
 * and the contract addresses, which follow from `contracts.deployer` (CREATE with nonces 0,
 * 1, 2) and must match the ones the document names. With a `checkpoint`, the anchor starts at
 * the checkpoint's block with its set instead. Pure and browser-safe; it checks only what the
 * anchor uses (the node's `parseGenesis` checks the whole document).
 *
 * @throws CustosError `GENESIS_INVALID` naming the field at fault; `INVALID_ARGUMENT` for a
 *   malformed checkpoint.
 * @example
 * ```ts
 * const anchor = trustAnchorFromGenesis(JSON.parse(genesisText));
 * const logs = verifyChainProof(proof, anchor);
 * ```
 */
export function trustAnchorFromGenesis(
  genesis: unknown,
  checkpoint?: TrustedCheckpoint,
): TrustAnchor {
  if (typeof genesis !== "object" || genesis === null || Array.isArray(genesis)) {
    throw invalid("(root)", "is not an object");
  }
  const document = genesis as Record<string, unknown>;
  const chainId = document.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId < 1) {
    throw invalid("chainId", "is not a positive integer");
  }
  if (!Array.isArray(document.validators) || document.validators.length === 0) {
    throw invalid("validators", "is not a non-empty list");
  }
  const validators = sortedSet(
    document.validators.map((v, i) => address(v, `validators[${i}]`)),
    "validators",
  );
  const contracts = document.contracts;
  if (typeof contracts !== "object" || contracts === null) {
    throw invalid("contracts", "is not an object");
  }
  const named = contracts as Record<string, unknown>;
  const deployer = address(named.deployer, "contracts.deployer");
  const derived: ChainContracts = {
    consortium: createAddress(deployer, 0),
    consentRegistry: createAddress(deployer, 1),
    accessLedger: createAddress(deployer, 2),
  };
  for (const name of ["consortium", "consentRegistry", "accessLedger"] as const) {
    if (named[name] !== undefined && address(named[name], `contracts.${name}`) !== derived[name]) {
      throw invalid(
        `contracts.${name}`,
        `must be ${derived[name]}, the CREATE address from the deployer`,
      );
    }
  }
  const anchor: TrustAnchor =
    checkpoint === undefined
      ? { chainId, consortium: derived.consortium, validators, fromBlock: 0, contracts: derived }
      : {
          chainId,
          consortium: derived.consortium,
          validators: [...checkpoint.validators].map((v) => String(v).toLowerCase()).sort(),
          fromBlock: checkpoint.block,
          contracts: derived,
        };
  checkTrustAnchor(anchor);
  return anchor;
}
