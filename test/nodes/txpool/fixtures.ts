import { createCustomCommon, Hardfork, Mainnet } from "@ethereumjs/common";
import {
  createAccessList2930Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  type TypedTransaction,
} from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, privateToAddress } from "@ethereumjs/util";
import {
  type AccountState,
  createTxPool,
  type TxPool,
  type TxPoolOptions,
} from "../../../nodes/txpool/index.ts";

export const CHAIN_ID = 1337n;
export const common = createCustomCommon({ chainId: 1337 }, Mainnet, { hardfork: Hardfork.Prague });
export const otherCommon = createCustomCommon({ chainId: 5 }, Mainnet, {
  hardfork: Hardfork.Prague,
});

/** Deterministic test keys: key i is 32 bytes of value i + 1. */
export function testKey(i: number): Uint8Array {
  return new Uint8Array(32).fill(i + 1);
}

export function addressOf(key: Uint8Array): Uint8Array {
  return privateToAddress(key);
}

export const TO = hexToBytes(`0x${"22".repeat(20)}`);
export const ETH = 10n ** 18n;

export interface TxSpec {
  readonly key: Uint8Array;
  readonly nonce: bigint | number;
  readonly type?: 0 | 1 | 2;
  /** maxFeePerGas, or gasPrice for types 0 and 1. */
  readonly fee?: bigint;
  /** maxPriorityFeePerGas (type 2 only); defaults to `fee`. */
  readonly tip?: bigint;
  readonly gasLimit?: bigint;
  readonly value?: bigint;
  readonly data?: Uint8Array;
  /** Contract creation (no `to`). */
  readonly create?: boolean;
  readonly chainCommon?: typeof common;
}

export function signedTx(spec: TxSpec): TypedTransaction {
  const base = {
    nonce: BigInt(spec.nonce),
    gasLimit: spec.gasLimit ?? 21_000n,
    ...(spec.create === true ? {} : { to: TO }),
    value: spec.value ?? 0n,
    data: spec.data ?? new Uint8Array(),
  };
  const fee = spec.fee ?? 10n;
  const opts = { common: spec.chainCommon ?? common };
  const chainId = (spec.chainCommon ?? common).chainId();
  switch (spec.type ?? 2) {
    case 0:
      return createLegacyTx({ ...base, gasPrice: fee }, opts).sign(spec.key);
    case 1:
      return createAccessList2930Tx({ ...base, gasPrice: fee, chainId }, opts).sign(spec.key);
    default:
      return createFeeMarket1559Tx(
        { ...base, maxFeePerGas: fee, maxPriorityFeePerGas: spec.tip ?? fee, chainId },
        opts,
      ).sign(spec.key);
  }
}

export interface PoolHarness {
  readonly pool: TxPool;
  readonly state: Map<string, AccountState>;
  readonly members: Set<string>;
  readonly clock: { now: number };
  setState(key: Uint8Array, state: AccountState): void;
}

/** A pool over in-memory state: every test key below 8 is a funded member unless changed. */
export function makePool(options: Partial<TxPoolOptions> = {}): PoolHarness {
  const state = new Map<string, AccountState>();
  const members = new Set<string>();
  const clock = { now: 1_000_000 };
  for (let i = 0; i < 8; i++) {
    const hex = bytesToHex(addressOf(testKey(i)));
    members.add(hex);
    state.set(hex, { nonce: 0n, balance: ETH });
  }
  const pool = createTxPool(
    { chainId: CHAIN_ID, blockGasLimit: 30_000_000n, ...options },
    {
      accountState: (address) => state.get(bytesToHex(address)) ?? { nonce: 0n, balance: 0n },
      isMember: (address) => members.has(bytesToHex(address)),
      now: () => clock.now,
    },
  );
  return {
    pool,
    state,
    members,
    clock,
    setState(key, account) {
      state.set(bytesToHex(addressOf(key)), account);
    },
  };
}
