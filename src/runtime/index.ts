/**
 * Runtime helpers shared by the SDK and the node; internal (not a package entry point).
 *
 * @packageDocumentation
 */
export { siblingModuleUrl } from "./siblingModuleUrl.ts";
