/**
 * Runtime helpers shared by the SDK and the node; internal (not a package entry point).
 *
 * @packageDocumentation
 */

export { packageVersion } from "./packageVersion.ts";
export { type SchemaProblem, schemaProblems } from "./schemaProblems.ts";
export { siblingModuleUrl } from "./siblingModuleUrl.ts";
