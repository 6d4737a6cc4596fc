import type { Log } from "@ethereumjs/evm";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { RegistryTerms } from "./decodeRegistryCall.ts";

const topic = (signature: string) => keccak_256(new TextEncoder().encode(signature));
const GRANTED = topic(
  "ConsentGranted(bytes32,uint32,address,uint32,uint32,uint32,uint40,uint40,bytes32)",
);
const REVOKED = topic("ConsentRevoked(bytes32,uint32,address,uint32,bytes32)");

/** A 32-byte big-endian word of a non-negative integer. */
function wordOf(value: number | bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = BigInt(value);
  for (let i = 31; v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** An address as a 32-byte topic. */
function addressTopic(address: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(address, 12);
  return out;
}

/** What the ConsentGranted events of one call share: all but the subject and document. */
export interface GrantedEvents {
  readonly custodian: Uint8Array;
  readonly actor: Uint8Array;
  /** The data with a zero document hash. */
  readonly data: Uint8Array;
}

/**
 * The logs ConsentRegistry emits on its native paths, as the interpreter builds them
 * (`[address, topics, data]`, each topic and data a fresh array, never a view of the
 * calldata, which may be a Buffer; the address is the contract's, shared as the interpreter
 * shares it): the event signature, then the indexed
 * subject, custodian and actor, then the ABI-encoded data words.
 *
 * @example
 * ```ts
 * const events = registryLogs.grantedEvents(1, actor, 1n, terms);
 * const log = registryLogs.granted(registry, events, subject, documentHash);
 * ```
 */
export const registryLogs = {
  /** The shared part of `ConsentGranted(subject, custodian, actor, version, purposes, categories, validFrom, validUntil, documentHash)`. */
  grantedEvents(
    custodian: number,
    actor: Uint8Array,
    version: bigint,
    terms: RegistryTerms,
  ): GrantedEvents {
    const data = new Uint8Array(6 * 32);
    data.set(wordOf(version), 0);
    data.set(wordOf(terms.purposes), 32);
    data.set(wordOf(terms.categories), 64);
    data.set(wordOf(terms.validFrom), 96);
    data.set(wordOf(terms.validUntil), 128);
    return { custodian: wordOf(custodian), actor: addressTopic(actor), data };
  },
  /** One ConsentGranted log. */
  granted(
    registry: Uint8Array,
    events: GrantedEvents,
    subject: Uint8Array,
    documentHash: Uint8Array,
  ): Log {
    const data = new Uint8Array(events.data);
    data.set(documentHash, 160);
    return [
      registry,
      [
        new Uint8Array(GRANTED),
        new Uint8Array(subject),
        new Uint8Array(events.custodian),
        new Uint8Array(events.actor),
      ],
      data,
    ];
  },
  /** `ConsentRevoked(subject, custodian, actor, version, documentHash)`. */
  revoked(
    registry: Uint8Array,
    subject: Uint8Array,
    custodian: number,
    actor: Uint8Array,
    version: bigint,
    documentHash: Uint8Array,
  ): Log {
    const data = new Uint8Array(2 * 32);
    data.set(wordOf(version), 0);
    data.set(documentHash, 32);
    return [
      registry,
      [new Uint8Array(REVOKED), new Uint8Array(subject), wordOf(custodian), addressTopic(actor)],
      data,
    ];
  },
} as const;
