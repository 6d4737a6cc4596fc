import type { JsonValue } from "./JsonValue.ts";
import type { CallFrame } from "./NodeApi.ts";
import { rpcHex } from "./rpcHex.ts";

/**
 * Formats a traced call frame as geth's callTracer does: `type`, `from`, `to`, `value`
 * (not for STATICCALL), `gas`, `gasUsed`, `input`, then `output`, `error` and
 * `revertReason` when present and `calls` when there are sub-calls.
 *
 * @example
 * ```ts
 * formatCallFrame(frame).type; // "CALL"
 * ```
 */
export function formatCallFrame(frame: CallFrame): { readonly [key: string]: JsonValue } {
  const json: Record<string, JsonValue> = {
    type: frame.type,
    from: rpcHex.data(frame.from),
  };
  if (frame.to !== undefined) json.to = rpcHex.data(frame.to);
  if (frame.value !== undefined) json.value = rpcHex.quantity(frame.value);
  json.gas = rpcHex.quantity(frame.gas);
  json.gasUsed = rpcHex.quantity(frame.gasUsed);
  json.input = rpcHex.data(frame.input);
  if (frame.output !== undefined) json.output = rpcHex.data(frame.output);
  if (frame.error !== undefined) json.error = frame.error;
  if (frame.revertReason !== undefined) json.revertReason = frame.revertReason;
  if (frame.calls.length > 0) json.calls = frame.calls.map(formatCallFrame);
  return json;
}
