import { equalsBytes } from "@ethereumjs/util";
import type { CallRequest } from "./NodeApi.ts";
import { type Decoder, param } from "./param.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const accessListParam = param.array((value, path) => {
  const entry = param.object(value, path);
  return {
    address: param.address(param.field(entry, "address"), `${path}.address`),
    storageKeys: param.array(param.hash, 10_000)(
      param.field(entry, "storageKeys"),
      `${path}.storageKeys`,
    ),
  };
}, 10_000);

/**
 * Decodes execution-apis' GenericTransaction (the eth_call / eth_estimateGas argument).
 * `input` and its older alias `data` may both appear only if equal; `gasPrice` excludes the
 * EIP-1559 fee fields. Unknown fields are ignored, as geth does, so newer clients keep working.
 *
 * @throws CustosError RPC_INVALID_PARAMS naming the field path.
 * @example
 * ```ts
 * callRequestParam({ to: "0x…", input: "0x70a08231…" }, "params[0]");
 * ```
 */
export const callRequestParam: Decoder<CallRequest> = (value, path) => {
  const record = param.object(value, path);
  const at = (key: string): unknown => param.field(record, key);
  const request: Mutable<CallRequest> = {};
  const from = param.optional(param.address)(at("from"), `${path}.from`);
  if (from !== undefined) request.from = from;
  const to = param.optional(param.address)(at("to"), `${path}.to`);
  if (to !== undefined) request.to = to;
  const gas = param.optional(param.uint64)(at("gas"), `${path}.gas`);
  if (gas !== undefined) request.gas = gas;
  const gasPrice = param.optional(param.uint256)(at("gasPrice"), `${path}.gasPrice`);
  if (gasPrice !== undefined) request.gasPrice = gasPrice;
  const maxFee = param.optional(param.uint256)(at("maxFeePerGas"), `${path}.maxFeePerGas`);
  if (maxFee !== undefined) request.maxFeePerGas = maxFee;
  const maxTip = param.optional(param.uint256)(
    at("maxPriorityFeePerGas"),
    `${path}.maxPriorityFeePerGas`,
  );
  if (maxTip !== undefined) request.maxPriorityFeePerGas = maxTip;
  if (gasPrice !== undefined && (maxFee !== undefined || maxTip !== undefined)) {
    param.invalid(
      `${path}.gasPrice`,
      "either gasPrice or maxFeePerGas/maxPriorityFeePerGas, not both",
      gasPrice,
    );
  }
  const value_ = param.optional(param.uint256)(at("value"), `${path}.value`);
  if (value_ !== undefined) request.value = value_;
  const input = param.optional(param.data)(at("input"), `${path}.input`);
  const data = param.optional(param.data)(at("data"), `${path}.data`);
  if (input !== undefined && data !== undefined && !equalsBytes(input, data)) {
    param.invalid(`${path}.data`, "the same bytes as input when both are given", "data");
  }
  const callData = input ?? data;
  if (callData !== undefined) request.data = callData;
  const nonce = param.optional(param.uint64)(at("nonce"), `${path}.nonce`);
  if (nonce !== undefined) request.nonce = nonce;
  const accessList = param.optional(accessListParam)(at("accessList"), `${path}.accessList`);
  if (accessList !== undefined) request.accessList = accessList;
  param.optional(param.uint64)(at("type"), `${path}.type`);
  param.optional(param.uint256)(at("chainId"), `${path}.chainId`);
  return request;
};
