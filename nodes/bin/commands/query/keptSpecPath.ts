import { join } from "node:path";
import type { ResearcherConfig } from "./researcherConfigSchema.ts";

/**
 * Where `query submit` keeps a spec, by its canonical hash, so `query show` finds it from
 * the spec hash on chain: `<queriesDir>/<specHash>.json`.
 *
 * @example
 * ```ts
 * keptSpecPath(config, query.specHash); // "/home/ana/custos/queries/0xab….json"
 * ```
 */
export function keptSpecPath(config: ResearcherConfig, specHash: string): string {
  return join(config.queriesDir, `${specHash.toLowerCase()}.json`);
}
