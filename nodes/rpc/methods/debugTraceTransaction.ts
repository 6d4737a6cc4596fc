import { CustosError } from "../../../src/errors/index.ts";
import { defineMethod } from "../defineMethod.ts";
import { formatCallFrame } from "../formatCallFrame.ts";
import type { CallFrame, TraceOptions } from "../NodeApi.ts";
import { type Decoder, param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

function unsupported(what: string, path: string): CustosError {
  return new CustosError(
    "RPC_METHOD_NOT_SUPPORTED",
    `${what} is not supported: use { "tracer": "callTracer" }`,
    { details: { method: "debug_traceTransaction", path } },
  );
}

const optionalBool = param.optional(param.bool);

/** Execution-apis' TraceConfig; only the callTracer and its `onlyTopCall` option are served. */
const traceConfigParam: Decoder<TraceOptions> = (value, path) => {
  const config = value === undefined || value === null ? {} : param.object(value, path);
  const rawTracer = param.field(config, "tracer");
  if (rawTracer !== undefined && typeof rawTracer !== "string") {
    return param.invalid(`${path}.tracer`, "a tracer name", rawTracer);
  }
  const tracer = typeof rawTracer === "string" ? rawTracer : "";
  const timeout = param.field(config, "timeout");
  if (timeout !== undefined && typeof timeout !== "string") {
    return param.invalid(`${path}.timeout`, "a duration such as 5s", timeout);
  }
  const rawTracerConfig = param.field(config, "tracerConfig");
  const tracerConfig =
    rawTracerConfig === undefined || rawTracerConfig === null
      ? {}
      : param.object(rawTracerConfig, `${path}.tracerConfig`);
  const onlyTopCall = optionalBool(
    param.field(tracerConfig, "onlyTopCall"),
    `${path}.tracerConfig.onlyTopCall`,
  );
  const withLog = optionalBool(
    param.field(tracerConfig, "withLog"),
    `${path}.tracerConfig.withLog`,
  );
  if (tracer === "") throw unsupported("the opcode logger", path);
  if (tracer !== "callTracer") throw unsupported(`the tracer ${tracer.slice(0, 40)}`, path);
  if (withLog === true) throw unsupported("withLog", `${path}.tracerConfig.withLog`);
  return { onlyTopCall: onlyTopCall ?? false };
};

/**
 * `debug_traceTransaction(hash, { tracer: "callTracer", tracerConfig? })`: replays a
 * committed transaction (after its block's earlier transactions, on its parent's state) and
 * returns its call tree as geth's callTracer does. Only the callTracer is served, with
 * `onlyTopCall`; the opcode logger (no `tracer`), other tracers and `withLog` are refused
 * with -32004. `timeout` is accepted and ignored: a replay is bounded by the block's gas.
 * Calls made inside a static context are all reported as STATICCALL.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_METHOD_NOT_SUPPORTED,
 *   RPC_RESOURCE_NOT_FOUND for an unknown or pending transaction, RPC_LIMIT_EXCEEDED when too
 *   many replays wait, STATE_NOT_AVAILABLE.
 * @example
 * ```ts
 * // ["0x…", { tracer: "callTracer" }] → { type: "CALL", from: "0x…", to: "0x…", gasUsed: "0x5208", … }
 * ```
 */
export const debugTraceTransaction = defineMethod({
  name: "debug_traceTransaction",
  params: [param.hash, traceConfigParam],
  async execute({ api }, [hash, options]): Promise<CallFrame> {
    const frame = await api.traceTransaction(hash, options);
    if (frame === undefined) {
      throw new CustosError(
        "RPC_RESOURCE_NOT_FOUND",
        `transaction ${rpcHex.data(hash)} not found`,
        { details: { transactionHash: rpcHex.data(hash) } },
      );
    }
    return frame;
  },
  format: formatCallFrame,
});
