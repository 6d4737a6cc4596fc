/**
 * The load of bench:scale: batchGrant transactions in SDK-sized chunks, round-robin over the
 * hospital recorders, streamed so that a bounded number is always in flight — the pool never
 * runs dry between blocks, as it does between the send-then-wait segments of runLoad. Commits
 * are observed by polling the head and, when it moves, every recorder's nonce: a nonce moves
 * only when its transactions are committed, so the stored count is exact at every commit.
 *
 * The stream keeps its {@link StreamState} current and asks for it to be persisted before
 * each send and after each commit, so a run killed at any moment can be continued: what was
 * committed is counted, what was in flight is found on the chain or given up.
 */
import { chunkCalldata } from "../node/batchGrantPhase.ts";
import type { ChainKey } from "../node/benchChain.ts";
import type { JsonRpc } from "../node/jsonRpc.ts";
import { sendLane as sendTxs } from "../node/runLoad.ts";
import { createTxSigner, type SignedTx } from "../node/workload.ts";
import { assertGranted } from "./assertGranted.ts";
import type { InFlightTx, StreamState } from "./scaleProgress.ts";

/** The chain a stream loads and how. */
export interface StreamTarget {
  readonly rpc: JsonRpc;
  readonly chainId: number;
  readonly registry: string;
  readonly recorders: readonly ChainKey[];
  /** Consents per transaction and each transaction's gas limit. */
  readonly chunk: { readonly size: number; readonly gasLimit: bigint };
  /** Most transactions sent and not yet committed. */
  readonly maxInFlight: number;
  /** CPU seconds of each node process so far. */
  readonly cpu: () => number[];
}

/** The chain right after a commit that stored consents of the load. */
export interface CommitObservation {
  /** `performance.now()` when the commit was seen. */
  readonly at: number;
  readonly stored: number;
  readonly head: number;
  readonly cpu: readonly number[];
  /** Transactions of the load still in flight after this commit. */
  readonly pendingTxs: number;
  /** Everything up to `until()` was already signed: the pool is emptying, not starved. */
  readonly draining: boolean;
}

/** Options of {@link runConsentStream}. */
export interface StreamRunOptions {
  /** Updated in place; must have nothing in flight (see {@link reconcileStreamState}). */
  readonly state: StreamState;
  /** The stored count to reach; read again after every commit, so it may grow. */
  readonly until: () => number;
  /** Persists `state` synchronously: called before each send and after each `onCommit`. */
  readonly persist: () => void;
  readonly onCommit: (observation: CommitObservation) => void;
  readonly pollMs: number;
  /** The load fails when nothing is committed for this long while transactions are in flight. */
  readonly stallSeconds: number;
}

/** batchGrant transactions are ~32 KB each: as bench:node, 10 per HTTP request. */
const SEND_BATCH = 10;
/**
 * Concurrent senders, as bench:node: one alone cannot keep the pool full, since each request
 * waits while the node executes a block.
 */
const LANES = 4;
const SEND_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each recorder's next nonce on the chain (committed transactions only). */
export async function chainNonces(rpc: JsonRpc, recorders: readonly ChainKey[]): Promise<number[]> {
  const outcomes = await rpc.batch(
    recorders.map((r) => ({ method: "eth_getTransactionCount", params: [r.address, "latest"] })),
  );
  return outcomes.map((outcome) => {
    if ("error" in outcome) throw new Error(`eth_getTransactionCount: ${outcome.error.message}`);
    return Number(outcome.result);
  });
}

/**
 * Moves the in-flight transactions the chain has committed (nonce below the recorder's chain
 * nonce) into `stored` and returns them, in sending order.
 *
 * @throws Error if a recorder's chain nonce is past every transaction the load sent (another
 *   sender used the account: the count would be wrong) or below the recorded one.
 */
function settle(state: StreamState, nonces: readonly number[]): InFlightTx[] {
  const sentUpTo = [...state.nonces];
  for (const [sender, nonce] of state.inFlight) {
    sentUpTo[sender] = Math.max(sentUpTo[sender] ?? 0, nonce + 1);
  }
  nonces.forEach((nonce, sender) => {
    const known = state.nonces[sender] ?? 0;
    if (nonce < known || nonce > (sentUpTo[sender] ?? 0)) {
      throw new Error(
        `recorder ${sender}: nonce ${nonce} on chain, the load knows ${known}..${sentUpTo[sender]}: ` +
          "the account was used outside this load, or the chain lost committed blocks",
      );
    }
  });
  const landed: InFlightTx[] = [];
  const still: InFlightTx[] = [];
  for (const tx of state.inFlight) {
    if (tx[1] < (nonces[tx[0]] ?? 0)) landed.push(tx);
    else still.push(tx);
  }
  state.inFlight = still;
  state.nonces = [...nonces];
  for (const tx of landed) state.stored += tx[3];
  return landed;
}

/**
 * Brings a persisted state in line with the chain after a restart: transactions that were in
 * flight and got committed are counted (and each checked: its last subject's consent must be
 * active), the rest are given up — their subject numbers are never used again.
 *
 * @throws Error if the chain holds transactions of the recorders the state does not know, or a
 *   counted transaction did not grant its consents.
 * @example
 * ```ts
 * const { committed, dropped } = await reconcileStreamState(rpc, registry, recorders, state);
 * ```
 */
export async function reconcileStreamState(
  rpc: JsonRpc,
  registry: string,
  recorders: readonly ChainKey[],
  state: StreamState,
): Promise<{ committed: number; dropped: number }> {
  const landed = settle(state, await chainNonces(rpc, recorders));
  await assertGranted(rpc, registry, landed);
  const dropped = state.inFlight.length;
  state.inFlight = [];
  return { committed: landed.length, dropped };
}

/**
 * Loads until `until()` consents are stored: signs chunks of fresh subjects (numbers from
 * `state.nextSubject` on), sends them in 4 lanes (split by sender) while fewer than
 * `maxInFlight` are in flight, and reports every commit (then persists the state). One
 * committed transaction per commit is checked: its last subject's consent must be active (a
 * chunk lands whole or reverts whole).
 *
 * @throws Error on a rejected send, a failed check, a stall, or a nonce the load cannot explain.
 * @example
 * ```ts
 * await runConsentStream(target, { state, until: () => 1_000_000, persist, onCommit, pollMs: 10, stallSeconds: 180 });
 * ```
 */
export async function runConsentStream(
  target: StreamTarget,
  options: StreamRunOptions,
): Promise<void> {
  const { rpc, registry, recorders, chunk } = target;
  const { state } = options;
  if (state.inFlight.length > 0) throw new Error("runConsentStream: reconcile the state first");
  const signer = createTxSigner(target.chainId, recorders, state.nonces);
  let failure: { error: unknown } | undefined;
  const waiting: (() => void)[] = [];
  const commitSeen = () => new Promise<void>((resolve) => waiting.push(resolve));
  const wake = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  const signedUpTo = () => state.inFlight.reduce((sum, tx) => sum + tx[3], state.stored);
  const laneCount = Math.min(LANES, recorders.length);

  // One lane per sender class (sender mod lanes), as runLoad: concurrent requests never carry
  // the same account, so every account's nonces reach the node in order.
  async function sendLane(lane: number): Promise<void> {
    const senders = recorders.map((_, i) => i).filter((i) => i % laneCount === lane);
    let cursor = 0;
    while (failure === undefined && state.stored < options.until()) {
      const room = Math.min(target.maxInFlight - state.inFlight.length, SEND_BATCH);
      if (room <= 0 || signedUpTo() >= options.until()) {
        await commitSeen();
        continue;
      }
      const txs: SignedTx[] = [];
      while (txs.length < room && signedUpTo() < options.until()) {
        const sender = senders[cursor++ % senders.length] as number;
        const size = Math.min(chunk.size, options.until() - signedUpTo());
        const data = chunkCalldata(sender, state.nextSubject, size);
        const tx = signer.sign(sender, registry, data, chunk.gasLimit);
        state.inFlight.push([sender, tx.nonce, state.nextSubject, size]);
        state.nextSubject += size;
        txs.push(tx);
      }
      // Before the send: a transaction the chain may commit must be in the file.
      options.persist();
      await sendTxs(rpc, txs, SEND_BATCH, performance.now() + SEND_TIMEOUT_MS);
    }
  }

  async function observe(): Promise<void> {
    let seenHead = "";
    let lastCommit = performance.now();
    while (failure === undefined && state.stored < options.until()) {
      const head = await rpc.call<string>("eth_blockNumber");
      if (head !== seenHead) {
        seenHead = head;
        const nonces = await chainNonces(rpc, recorders);
        const at = performance.now();
        const cpu = target.cpu();
        const landed = settle(state, nonces);
        const last = landed.at(-1);
        if (last !== undefined) {
          lastCommit = at;
          // In the same turn as settle(): the sender must never see the new stored count
          // before `until()` has grown with it (a curve window opening at this commit).
          options.onCommit({
            at,
            stored: state.stored,
            head: Number(head),
            cpu,
            pendingTxs: state.inFlight.length,
            draining: signedUpTo() >= options.until(),
          });
          options.persist();
          wake();
          await assertGranted(rpc, registry, [last]);
        }
      }
      if (
        state.inFlight.length > 0 &&
        performance.now() - lastCommit > options.stallSeconds * 1000
      ) {
        throw new Error(
          `no consents committed for ${options.stallSeconds} s with ${state.inFlight.length} ` +
            `transactions in flight (stored ${state.stored})`,
        );
      }
      await sleep(options.pollMs);
    }
  }

  const fail = (error: unknown) => {
    failure ??= { error };
    wake();
  };
  const lanes = Array.from({ length: laneCount }, (_, lane) => sendLane(lane).catch(fail));
  await Promise.all([...lanes, observe().catch(fail)]);
  if (failure !== undefined) throw failure.error;
}
