import { getBytes, type Signer, verifyMessage } from "ethers";
import {
  type QueryResultDocument,
  resultDocumentHash,
  type SignedQueryResult,
} from "./QueryResultDocument.ts";

/**
 * Hashes a result document and signs the hash with the hospital recorder's key (EIP-191
 * `personal_sign` of the 32 hash bytes).
 */
export async function signQueryResult(
  signer: Signer,
  document: QueryResultDocument,
): Promise<SignedQueryResult> {
  const resultHash = resultDocumentHash(document);
  const signature = (await signer.signMessage(getBytes(resultHash))) as `0x${string}`;
  return { document, resultHash, signature };
}

/**
 * The account a signed result's signature recovers to (of its stated hash), lower-case, or
 * null when the signature is malformed.
 */
export function resultSigner(signed: SignedQueryResult): `0x${string}` | null {
  try {
    return verifyMessage(
      getBytes(signed.resultHash),
      signed.signature,
    ).toLowerCase() as `0x${string}`;
  } catch {
    return null;
  }
}
