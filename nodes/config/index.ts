export type { ConfigOverride } from "./ConfigOverride.ts";
export { type ConfigFlag, type ConfigFlagKind, configFlags } from "./configFlags.ts";
export { deepFreeze } from "./deepFreeze.ts";
export { type LoadConfigOptions, loadConfig } from "./loadConfig.ts";
export {
  type ConfigSchemaNode,
  configPathFields,
  type DeepReadonly,
  logLevels,
  type NodeConfig,
  nodeConfigSchema,
} from "./nodeConfigSchema.ts";
export { readConfigDocument } from "./readConfigDocument.ts";
export { type ConfigProblem, type ResolveConfigOptions, resolveConfig } from "./resolveConfig.ts";
