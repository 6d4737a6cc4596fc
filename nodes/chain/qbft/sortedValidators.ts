import { CustosError } from "../../../src/errors/index.ts";
import { QBFT_ADDRESS_LENGTH } from "./QbftExtraData.ts";

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A validator set as Besu keeps it (a `TreeSet` of addresses) and writes it into every
 * block's extraData: ascending by address bytes, each address once. Copies; the input is
 * left as it is.
 *
 * @throws CustosError `INVALID_ARGUMENT` when an address is not 20 bytes.
 * @example
 * ```ts
 * sortedValidators([b, a, b]); // [a, b]
 * ```
 */
export function sortedValidators(addresses: readonly Uint8Array[]): Uint8Array[] {
  addresses.forEach((address, index) => {
    if (address.length !== QBFT_ADDRESS_LENGTH) {
      throw new CustosError("INVALID_ARGUMENT", "a validator address must be 20 bytes", {
        details: { field: "validators", index, length: address.length },
      });
    }
  });
  const sorted = addresses.map((address) => address.slice()).sort(compareBytes);
  return sorted.filter(
    (address, i) => i === 0 || compareBytes(address, sorted[i - 1] as Uint8Array) !== 0,
  );
}
