import { getAddress } from "ethers";

// Results by the exact text given: the logs and events of one import or audit read name a
// handful of addresses (the registry, the recorder) millions of times, and ethers' EIP-55
// checksum costs a keccak and ~30 µs each.
const checksummed = new Map<string, string>();
const MAX_CHECKSUMMED = 4_096;

/**
 * ethers' `getAddress`, remembered for the last few thousand distinct inputs.
 *
 * @throws Error ethers' `INVALID_ARGUMENT` for what `getAddress` refuses (never remembered).
 * @example
 * ```ts
 * checksumAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"); // "0x5FbDB2315678afecb367f032d93F642f64180aa3"
 * ```
 */
export function checksumAddress(text: string): string {
  let address = checksummed.get(text);
  if (address === undefined) {
    address = getAddress(text);
    if (checksummed.size >= MAX_CHECKSUMMED) checksummed.clear();
    checksummed.set(text, address);
  }
  return address;
}
