import { type BlockId, blockIdParam } from "./BlockId.ts";
import { type Decoder, param } from "./param.ts";

/** A decoded eth_getLogs / `logs` subscription filter, before block resolution. */
export interface LogFilterParam {
  readonly fromBlock?: BlockId;
  readonly toBlock?: BlockId;
  readonly blockHash?: Uint8Array;
  readonly addresses: readonly Uint8Array[];
  readonly topics: readonly (Uint8Array | readonly Uint8Array[] | null)[];
}

const topicParam: Decoder<Uint8Array | readonly Uint8Array[] | null> = (value, path) => {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    // An empty or null-containing alternative list matches anything, as in geth.
    if (value.length === 0 || value.includes(null)) return null;
    return param.array(param.hash, 1_000)(value, path);
  }
  return param.hash(value, path);
};

/**
 * Decodes execution-apis' Filter object: `blockHash` excludes `fromBlock`/`toBlock`;
 * `address` is one address or a list (its length is capped by the caller); `topics` has at most four positions, each null, a
 * hash or a list of hashes.
 *
 * @throws CustosError RPC_INVALID_PARAMS naming the field path.
 * @example
 * ```ts
 * logFilterParam({ fromBlock: "0x1", topics: [null, "0x…"] }, "params[0]");
 * ```
 */
export const logFilterParam: Decoder<LogFilterParam> = (value, path) => {
  const record = param.object(value, path);
  const blockHash = param.optional(param.hash)(
    param.field(record, "blockHash"),
    `${path}.blockHash`,
  );
  const fromBlock = param.optional(blockIdParam.numberOrTag)(
    param.field(record, "fromBlock"),
    `${path}.fromBlock`,
  );
  const toBlock = param.optional(blockIdParam.numberOrTag)(
    param.field(record, "toBlock"),
    `${path}.toBlock`,
  );
  if (blockHash !== undefined && (fromBlock !== undefined || toBlock !== undefined)) {
    param.invalid(
      `${path}.blockHash`,
      "either blockHash or fromBlock/toBlock, not both",
      "blockHash",
    );
  }
  const rawAddress = param.field(record, "address");
  const addresses =
    rawAddress === undefined || rawAddress === null
      ? []
      : Array.isArray(rawAddress)
        ? param.array(param.address, Number.MAX_SAFE_INTEGER)(rawAddress, `${path}.address`)
        : [param.address(rawAddress, `${path}.address`)];
  const topics =
    param.optional(param.array(topicParam, 4))(param.field(record, "topics"), `${path}.topics`) ??
    [];
  const filter: LogFilterParam = { addresses, topics };
  return {
    ...filter,
    ...(fromBlock === undefined ? {} : { fromBlock }),
    ...(toBlock === undefined ? {} : { toBlock }),
    ...(blockHash === undefined ? {} : { blockHash }),
  };
};
