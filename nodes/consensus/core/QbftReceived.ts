import type { QbftMessage } from "./QbftMessage.ts";

/** A decoded message from the network with what intake learnt about it. */
export interface QbftReceived {
  readonly message: QbftMessage;
  /** Recovered signer, 20 bytes. */
  readonly author: Uint8Array;
  /** {@link bytesKey} of `author`. */
  readonly authorKey: string;
  /** keccak256 of the wire bytes: names the message in `dropped` effects. */
  readonly hash: Uint8Array;
  /** The wire bytes, kept as evidence of equivocation. */
  readonly bytes: Uint8Array;
}
