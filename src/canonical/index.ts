export { canonicalHash } from "./canonicalHash.ts";
export { canonicalJson, type JsonValue } from "./canonicalJson.ts";
