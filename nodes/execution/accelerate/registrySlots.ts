/** The storage slots the native paths read and write, as `keccak` computes Solidity's. */
export interface RegistrySlots {
  /** ConsentRegistry `_consents[custodian][subject]` (the mapping is at slot 2). */
  record(custodian: number, subject: Uint8Array): Uint8Array;
  /** Consortium `_bindings[account]` (slot 3): orgId in bits 0–31, capacity in 32–39. */
  binding(account: Uint8Array): Uint8Array;
  /** Consortium `_organisations[orgId]`'s first slot (slot 2): role in bits 0–7, active in 8–15. */
  organisation(orgId: number): Uint8Array;
}

/** Solidity's slot of `mapping(key => …)` at `slot`: keccak(key ‖ slot), both as words. */
function mappingSlot(
  keccak: (data: Uint8Array) => Uint8Array,
  key: Uint8Array,
  slot: number,
): Uint8Array {
  const preimage = new Uint8Array(64);
  preimage.set(key, 32 - key.length);
  preimage[63] = slot;
  return keccak(preimage);
}

function uintKey(value: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, value);
  return key;
}

/**
 * The slot arithmetic of ConsentRegistry and Consortium (storage layouts of the pinned
 * bytecode: ConsentRegistry keeps EIP-712's two fallback strings in slots 0 and 1, so
 * `_consents` is slot 2; Consortium's `_organisations` and `_bindings` are slots 2 and 3).
 * Both contracts hash `custodian ‖ 2` for their slot-2 mapping, so one memo per custodian
 * serves the record mapping and the organisation record.
 *
 * @example
 * ```ts
 * const slots = createRegistrySlots(keccak);
 * await stateManager.getStorage(registry, slots.record(1, subject));
 * ```
 */
export function createRegistrySlots(keccak: (data: Uint8Array) => Uint8Array): RegistrySlots {
  const byCustodian = new Map<number, Uint8Array>();
  const slotTwo = (custodian: number) => {
    let slot = byCustodian.get(custodian);
    if (slot === undefined) {
      slot = mappingSlot(keccak, uintKey(custodian), 2);
      byCustodian.set(custodian, slot);
    }
    return slot;
  };
  const preimage = new Uint8Array(64);
  return {
    record(custodian, subject) {
      preimage.set(subject, 0);
      preimage.set(slotTwo(custodian), 32);
      return keccak(preimage);
    },
    binding: (account) => mappingSlot(keccak, account, 3),
    organisation: (orgId) => slotTwo(orgId),
  };
}
