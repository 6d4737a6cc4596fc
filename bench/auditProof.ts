/**
 * Offline proof verification time (`npm run bench:audit-proof`): a proof of one event on a
 * chain of 7 validators whose set changed 100 times since genesis — 101 sealed headers, 5
 * commit seals each (⌈2·7/3⌉), 100 ValidatorSetScheduled receipts — verified by
 * `verifyChainProof` (a fresh verifier) with its default, browser-safe seal recovery (noble,
 * pure JavaScript) and with the native `secp256k1` and `keccak` addons injected (what
 * `custos audit verify` uses); and by a warm `createProofVerifier` that verified a proof of
 * another event of the same chain before (a dashboard's case): each timed proof is of a
 * block it has not seen, so it checks that block's 5 seals and finds the 100 changes
 * remembered. The chain is synthesised with generated keys and the node's own header and
 * seal code (not executed by an EVM). Writes bench/results/audit-proof.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { nativeKeccak256 } from "../nodes/bin/commands/audit/nativeKeccak256.ts";
import { nativeSealRecovery } from "../nodes/bin/commands/audit/nativeSealRecovery.ts";
import {
  addressOfPrivateKey,
  encodeQbftExtraData,
  headerFromFields,
  qbftOnchainHash,
  sealHeader,
  signCommitSeal,
} from "../nodes/chain/index.ts";
import { buildTrieProofNodes } from "../src/auditProof/buildTrieProofNodes.ts";
import { decodeReceiptLogs } from "../src/auditProof/decodeReceipt.ts";
import { bytesToHex } from "../src/auditProof/hexBytes.ts";
import {
  createProofVerifier,
  PROOF_SCHEMA,
  type ProofBlock,
  type ProofDocument,
  type ProofVerifierOptions,
  type TrustAnchor,
  VALIDATOR_SET_SCHEDULED_TOPIC,
  verifyChainProof,
} from "../src/auditProof/index.ts";
import { encodeRlp } from "../src/auditProof/rlp.ts";

/** Options of {@link measureAuditProofVerify}. */
export interface AuditProofBenchOptions {
  readonly validators?: number;
  readonly changes?: number;
  /** Timed verifications with the default (noble) recovery; the native one runs 3 times more. */
  readonly repeats?: number;
}

/** What {@link measureAuditProofVerify} measured. */
export interface AuditProofBenchResult {
  /** Median time of one `verifyChainProof`, default browser-safe recovery (noble). */
  readonly proofVerifyMs: number;
  /** The same with the native secp256k1 recovery and keccak injected (the CLI's). */
  readonly proofVerifyNativeMs: number;
  /**
   * Median time of one `verify` by a warm `createProofVerifier` (noble): the proof of a block
   * it has not seen, after a proof of another block of the same chain.
   */
  readonly proofVerifyWarmMs: number;
  /** The same with the native recovery. */
  readonly proofVerifyWarmNativeMs: number;
  readonly goalMs: number;
  readonly validators: number;
  readonly changes: number;
  /** Seals a fresh verifier recovers (every header's); a warm one recovers the new block's. */
  readonly sealsChecked: number;
  readonly sealsCheckedWarm: number;
  readonly proofBytes: number;
  readonly repeats: number;
}

const CONSORTIUM = `0x${"c0".repeat(20)}`;
const REGISTRY = `0x${"c1".repeat(20)}`;
const word = (bytes: Uint8Array) => {
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
};
const integer = (value: number) => {
  const digits: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) digits.unshift(v % 256);
  return Uint8Array.from(digits);
};
const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
const sorted = (keys: readonly Uint8Array[]) =>
  [...keys].sort((a, b) =>
    bytesToHex(addressOfPrivateKey(a)).localeCompare(bytesToHex(addressOfPrivateKey(b))),
  );

/** A typed (EIP-1559) receipt holding one log. */
function receiptOf(address: string, topics: readonly Uint8Array[], data: Uint8Array): Uint8Array {
  const body = encodeRlp([
    Uint8Array.of(1),
    integer(50_000),
    new Uint8Array(256),
    [[hexBytes(address), [...topics], data]],
  ]);
  return Uint8Array.of(2, ...body);
}

/** A sealed block holding one transaction and its receipt, as a proof item. */
async function sealedItem(
  number: number,
  keys: readonly Uint8Array[],
  receipt: Uint8Array,
): Promise<ProofBlock> {
  const transaction = Uint8Array.of(2, ...keccak_256(integer(number)), ...new Uint8Array(80));
  const receipts = await buildTrieProofNodes([receipt], [0]);
  const transactions = await buildTrieProofNodes([transaction], [0]);
  const validators = keys.map(addressOfPrivateKey);
  const extraData = encodeQbftExtraData({
    vanity: new Uint8Array(32),
    validators,
    vote: undefined,
    round: 0,
    seals: [],
  });
  const fields = [
    keccak_256(integer(number - 1)),
    keccak_256(encodeRlp([])),
    validators[0] as Uint8Array,
    keccak_256(integer(number + 7)),
    transactions.root,
    receipts.root,
    new Uint8Array(256),
    new Uint8Array(0),
    integer(number),
    integer(30_000_000),
    integer(50_000),
    integer(1_800_000_000 + number),
    extraData,
    new Uint8Array(32),
    new Uint8Array(8),
    integer(1_000_000_000),
    keccak_256(encodeRlp([])),
    new Uint8Array(0),
    new Uint8Array(0),
    new Uint8Array(32),
    keccak_256(new Uint8Array(0)),
  ];
  const header = headerFromFields(fields);
  const quorum = Math.ceil((2 * keys.length) / 3);
  const sealed = sealHeader(
    header,
    keys.slice(0, quorum).map((key) => signCommitSeal(header, key)),
  );
  const log = decodeReceiptLogs(receipt, () => {
    throw new Error("bad receipt");
  })[0];
  return {
    number: `0x${number.toString(16)}`,
    hash: bytesToHex(qbftOnchainHash(sealed)),
    header: bytesToHex(sealed.serialize()),
    receiptNodes: receipts.nodes.map(bytesToHex),
    transactionNodes: transactions.nodes.map(bytesToHex),
    logs: [
      {
        logIndex: "0x0",
        transactionIndex: "0x0",
        transactionHash: bytesToHex(keccak_256(transaction)),
        address: bytesToHex(log?.address ?? new Uint8Array()),
        topics: (log?.topics ?? []).map(bytesToHex),
        data: bytesToHex(log?.data ?? new Uint8Array()),
      },
    ],
  };
}

/**
 * The synthetic chain's proof of one event and its anchor; with `events` > 1, as many
 * proofs (`proofs`, the first being `proof`) of one event each in successive blocks after
 * the last change, all through the same changes.
 */
export async function syntheticProof(
  validatorCount: number,
  changes: number,
  events = 1,
): Promise<{
  proof: ProofDocument;
  proofs: ProofDocument[];
  anchor: TrustAnchor;
  /** The private keys of the set that seals the proofs' `blocks`, in its (address) order. */
  signers: Uint8Array[];
}> {
  const key = (i: number) => keccak_256(new TextEncoder().encode(`audit-proof bench key ${i}`));
  let set = sorted(Array.from({ length: validatorCount }, (_, i) => key(i)));
  const genesis = set.map((k) => bytesToHex(addressOfPrivateKey(k)));
  const validatorChanges: ProofBlock[] = [];
  let number = 1;
  for (let change = 0; change < changes; change++) {
    // Each change swaps one validator for a new one; it takes effect 2 blocks later.
    const next = sorted([...set.slice(1), key(validatorCount + change)]);
    const addresses = next.map(addressOfPrivateKey).map(word);
    const data = Uint8Array.from([
      ...word(Uint8Array.of(32)),
      ...word(integer(addresses.length)),
      ...addresses.flatMap((a) => [...a]),
    ]);
    const receipt = receiptOf(
      CONSORTIUM,
      [VALIDATOR_SET_SCHEDULED_TOPIC, word(integer(number + 2))],
      data,
    );
    validatorChanges.push(await sealedItem(number, set, receipt));
    set = next;
    number += 3;
  }
  const proofs: ProofDocument[] = [];
  for (let event = 0; event < events; event++) {
    const data = new Uint8Array(64);
    data.set(word(integer(event)), 32);
    const receipt = receiptOf(REGISTRY, [keccak_256(new TextEncoder().encode("Event()"))], data);
    proofs.push({
      schema: PROOF_SCHEMA,
      chainId: "0x1092",
      consortium: CONSORTIUM,
      validatorChanges,
      blocks: [await sealedItem(number + event, set, receipt)],
    });
  }
  return {
    proof: proofs[0] as ProofDocument,
    proofs,
    signers: set,
    anchor: {
      chainId: 4242,
      consortium: CONSORTIUM,
      validators: [...genesis].sort(),
      fromBlock: 0,
    },
  };
}

function median(values: readonly number[]): number {
  const sortedValues = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sortedValues.length / 2);
  return sortedValues.length % 2 === 1
    ? (sortedValues[middle] as number)
    : ((sortedValues[middle - 1] as number) + (sortedValues[middle] as number)) / 2;
}

function timeMedian(repeats: number, run: () => unknown): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Median time of `verify` on `proofs[1…]`, each once, by one verifier that verified
 * `proofs[0]` first (twice: to fill its memory and to warm up the JIT on remembered items).
 */
function warmMedian(
  proofs: readonly unknown[],
  anchor: TrustAnchor,
  options: ProofVerifierOptions,
): number {
  const verifier = createProofVerifier(options);
  verifier.verify(proofs[0], anchor);
  verifier.verify(proofs[0], anchor);
  const times = proofs.slice(1).map((proof) => {
    const start = performance.now();
    if (verifier.verify(proof, anchor).length !== 1) throw new Error("a warm proof failed");
    return performance.now() - start;
  });
  return median(times);
}

/**
 * Measures `verifyChainProof` on a synthetic proof of one event after `changes` validator-set
 * changes of a `validators`-strong set: the median of `repeats` runs with the default
 * recovery (`proofVerifyMs`) and of 3 × `repeats` with the native one; and a warm
 * `createProofVerifier` on as many proofs of further blocks.
 *
 * @example
 * ```ts
 * const { proofVerifyMs } = await measureAuditProofVerify({ validators: 7, changes: 100 });
 * ```
 */
export async function measureAuditProofVerify(
  options: AuditProofBenchOptions = {},
): Promise<AuditProofBenchResult> {
  const validators = options.validators ?? 7;
  const changes = options.changes ?? 100;
  const repeats = options.repeats ?? 7;
  const { proofs, anchor } = await syntheticProof(validators, changes, 1 + 3 * repeats);
  const json = proofs.map((proof) => JSON.parse(JSON.stringify(proof)) as unknown);
  const verified = verifyChainProof(json[0], anchor);
  if (verified.length !== 1) throw new Error("the synthetic proof did not verify to one event");
  // What `custos audit verify` passes: the native recovery and keccak addons.
  const keccak256 = nativeKeccak256();
  const native = { recoverSigner: nativeSealRecovery, ...(keccak256 && { keccak256 }) };
  const quorum = Math.ceil((2 * validators) / 3);
  return {
    proofVerifyMs: Number(timeMedian(repeats, () => verifyChainProof(json[0], anchor)).toFixed(2)),
    proofVerifyNativeMs: Number(
      timeMedian(3 * repeats, () => verifyChainProof(json[0], anchor, native)).toFixed(2),
    ),
    proofVerifyWarmMs: Number(warmMedian(json.slice(0, 1 + repeats), anchor, {}).toFixed(2)),
    proofVerifyWarmNativeMs: Number(warmMedian(json, anchor, native).toFixed(2)),
    goalMs: 10,
    validators,
    changes,
    sealsChecked: (changes + 1) * quorum,
    sealsCheckedWarm: quorum,
    proofBytes: JSON.stringify(proofs[0]).length,
    repeats,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = { ...(await measureAuditProofVerify()), node: process.version };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(
    new URL("./results/audit-proof.json", import.meta.url),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  console.log(JSON.stringify(results, null, 2));
}
