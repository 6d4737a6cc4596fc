import { sdkChunk } from "../node/batchGrantPhase.ts";
import type { JsonRpc } from "../node/jsonRpc.ts";
import { readChainFacts } from "./chainFacts.ts";
import type { ChainFacts, ChunkRecord, StreamProgress } from "./scaleProgress.ts";

/**
 * Fills a stream's load plan once (a resumed run keeps the first run's): the batchGrant chunk
 * the SDK would send and the chain's block facts, then saves the progress.
 */
export async function planStream(
  progress: StreamProgress,
  options: {
    readonly rpc: JsonRpc;
    readonly registry: string;
    readonly estimateFrom: string;
    readonly blocksInFlight: number;
    readonly save: () => void;
  },
): Promise<{ chunk: ChunkRecord; chain: ChainFacts }> {
  if (progress.chunk === null || progress.chain === null) {
    const chunk = await sdkChunk({
      rpc: options.rpc,
      registry: options.registry,
      estimateFrom: options.estimateFrom,
    });
    progress.chunk = {
      size: chunk.size,
      gas: String(chunk.gas),
      gasLimit: String(chunk.gasLimit),
      cap: String(chunk.cap),
    };
    progress.chain = await readChainFacts(options.rpc, chunk.gasLimit, options.blocksInFlight);
    options.save();
  }
  return { chunk: progress.chunk, chain: progress.chain };
}
