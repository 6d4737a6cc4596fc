/**
 * The node benchmark's workload: ConsentRegistry.grant and batchGrant transactions from the
 * hospital recorder accounts, each in its own hospital's records (custodian = the hospital's
 * organisation id, sender index + 1), signed before any timing starts. Every chain runs at the same
 * chain id with the contracts at the same addresses and the same funded keys, so one signed
 * transaction is valid on all of them and each chain receives byte-identical load.
 */
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createCustosCommon } from "../../nodes/execution/index.ts";
import { type ConsentRegistryEvent, ledgerContracts } from "../../src/ledger/index.ts";
import type { ChainKey } from "./benchChain.ts";

/** A signed transaction ready for eth_sendRawTransaction. */
export interface SignedTx {
  readonly raw: string;
  readonly hash: string;
  /** Index of the sending hospital. */
  readonly sender: number;
  readonly nonce: number;
}

/** Terms shared by every benchmark consent: one DUO purpose, one data category, no expiry. */
const TERMS = { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 } as const;

/**
 * Fee caps well above any base fee the chains reach (all start at 1 gwei and fall when
 * blocks are less than half full); the tip is the least that every chain accepts.
 */
const MAX_FEE_PER_GAS = 100_000_000_000n;
const MAX_PRIORITY_FEE_PER_GAS = 1n;

const registry = ledgerContracts.ConsentRegistry;
const { grant, batchGrant } = registry.functions;
const WORD = 32;

/** The `n`th pseudonym of a series: random-looking 32 bytes like an HMAC-SHA-256 output. */
export function pseudonym(series: string, n: number): Uint8Array {
  return keccak_256(new TextEncoder().encode(`${series}:${n}`));
}

const GRANT = hexToBytes(grant.fragment.selector as PrefixedHexString);
const BATCH_GRANT = hexToBytes(batchGrant.fragment.selector as PrefixedHexString);

/** Writes TERMS as the four words of the static `Terms` tuple at `offset`. */
function writeTerms(out: Uint8Array, offset: number): void {
  const view = new DataView(out.buffer, out.byteOffset);
  [TERMS.purposes, TERMS.categories, TERMS.validFrom, TERMS.validUntil].forEach((value, i) => {
    view.setUint32(offset + (i + 1) * WORD - 4, value);
  });
}

/**
 * Calldata of `grant(custodian, subject, terms, documentHash)`. Encoded by hand: ethers'
 * encoder costs more than signing, and a batch of 500 consents took ~47 ms to encode and sign
 * with it — a million consents would spend longer being prepared than being granted. Checked
 * against ethers' encoding when this module loads.
 */
export function grantCalldata(
  custodian: number,
  subject: Uint8Array,
  documentHash: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(4 + 7 * WORD);
  out.set(GRANT, 0);
  new DataView(out.buffer).setUint32(4 + WORD - 4, custodian);
  out.set(subject, 4 + WORD);
  writeTerms(out, 4 + 2 * WORD);
  out.set(documentHash, 4 + 6 * WORD);
  return out;
}

/**
 * Calldata of `batchGrant(custodian, subjects, terms, documentHashes)`, encoded by hand (see
 * above).
 */
export function batchGrantCalldata(
  custodian: number,
  subjects: readonly Uint8Array[],
  documentHashes: readonly Uint8Array[],
): Uint8Array {
  const n = subjects.length;
  const head = 7 * WORD;
  const out = new Uint8Array(4 + head + 2 * (WORD + n * WORD));
  const view = new DataView(out.buffer);
  out.set(BATCH_GRANT, 0);
  const at = (offset: number) => 4 + offset;
  const subjectsAt = head;
  const documentsAt = head + WORD + n * WORD;
  view.setUint32(at(WORD - 4), custodian);
  view.setUint32(at(2 * WORD - 4), subjectsAt);
  writeTerms(out, at(2 * WORD));
  view.setUint32(at(6 * WORD + WORD - 4), documentsAt);
  view.setUint32(at(subjectsAt + WORD - 4), n);
  subjects.forEach((s, i) => {
    out.set(s, at(subjectsAt + WORD + i * WORD));
  });
  view.setUint32(at(documentsAt + WORD - 4), documentHashes.length);
  documentHashes.forEach((d, i) => {
    out.set(d, at(documentsAt + WORD + i * WORD));
  });
  return out;
}

function assertEncodersMatchEthers(): void {
  const a = [pseudonym("check", 0), pseudonym("check", 1)];
  const b = [pseudonym("check", 2), pseudonym("check", 3)];
  const custodian = 0x01020304;
  const [a0, b0] = [a[0] as Uint8Array, b[0] as Uint8Array];
  if (
    bytesToHex(grantCalldata(custodian, a0, b0)) !== grant.encode([custodian, a0, TERMS, b0]) ||
    bytesToHex(batchGrantCalldata(custodian, a, b)) !== batchGrant.encode([custodian, a, TERMS, b])
  ) {
    throw new Error("bench/node/workload.ts: hand-written ABI encoding differs from ethers'");
  }
}
assertEncodersMatchEthers();

/** The topic of ConsentGranted (topic 0 of its logs). */
export const consentGrantedTopic =
  registry.iface.getEvent("ConsentGranted" satisfies ConsentRegistryEvent["name"])?.topicHash ?? "";

/**
 * Signs transactions from the hospital recorders, tracking each one's next nonce. Sender `i`
 * records for custodian `i + 1` (see {@link custodianOf}).
 */
export interface TxSigner {
  sign(sender: number, to: string, data: Uint8Array, gasLimit: bigint): SignedTx;
  /** A replacement of `previous` (same sender and nonce) paying twice its fees. */
  replace(previous: SignedTx, to: string, data: Uint8Array, gasLimit: bigint): SignedTx;
}

/** The custodian (hospital organisation id) the recorder with sender index `sender` records for. */
export function custodianOf(sender: number): number {
  return sender + 1;
}

/**
 * A signer for `hospitals` on `chainId`, starting at `startNonces` (default all 0), with native
 * secp256k1 and keccak when the addons load (signing is outside every timing, but a
 * 10-minute budget still cares).
 *
 * @example
 * ```ts
 * const signer = createTxSigner(4242, recorders);
 * const tx = signer.sign(0, registryAddress, grantCalldata(custodianOf(0), subject, doc), 120_000n);
 * ```
 */
export function createTxSigner(
  chainId: number,
  hospitals: readonly ChainKey[],
  startNonces: readonly number[] = hospitals.map(() => 0),
): TxSigner {
  const nonces = [...startNonces];
  const common = createCustosCommon({ chainId: BigInt(chainId) });
  const keys = hospitals.map((h) => hexToBytes(h.privateKey as PrefixedHexString));
  function signAt(
    sender: number,
    nonce: number,
    fields: { to: string; data: Uint8Array; gasLimit: bigint; feeFactor: bigint },
  ): SignedTx {
    const key = keys[sender];
    if (key === undefined) throw new Error(`no hospital recorder ${sender}`);
    const tx = createFeeMarket1559Tx(
      {
        nonce: BigInt(nonce),
        to: fields.to as PrefixedHexString,
        data: fields.data,
        gasLimit: fields.gasLimit,
        maxFeePerGas: MAX_FEE_PER_GAS * fields.feeFactor,
        maxPriorityFeePerGas: MAX_PRIORITY_FEE_PER_GAS * fields.feeFactor,
        chainId: BigInt(chainId),
      },
      { common },
    ).sign(key);
    return { raw: bytesToHex(tx.serialize()), hash: bytesToHex(tx.hash()), sender, nonce };
  }
  return {
    sign(sender, to, data, gasLimit) {
      const nonce = nonces[sender] ?? 0;
      nonces[sender] = nonce + 1;
      return signAt(sender, nonce, { to, data, gasLimit, feeFactor: 1n });
    },
    replace(previous, to, data, gasLimit) {
      return signAt(previous.sender, previous.nonce, { to, data, gasLimit, feeFactor: 2n });
    },
  };
}
