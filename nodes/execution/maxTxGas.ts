/**
 * The most gas one transaction may declare: 2^24 = 16,777,216, as EIP-7825 caps it on
 * Ethereum. A chain rule, not a node setting: the pool refuses a transaction above it, a
 * block producer leaves it out, and a block carrying one is invalid, so every validator
 * agrees. It bounds how long one member's transaction can hold a block's execution (a tight
 * loop runs ~0.3 s at this gas here; docs/node.md, "Gas limits").
 *
 * Not activated through EthereumJS's EIP-7825 switch: that makes the transaction
 * constructors throw, so the pool would answer a decode error instead of its typed refusal
 * and a stored chain holding such a transaction could no longer be read.
 *
 * @example
 * ```ts
 * if (tx.gasLimit > MAX_TX_GAS) refuse(tx);
 * ```
 */
export const MAX_TX_GAS = 16_777_216n;
