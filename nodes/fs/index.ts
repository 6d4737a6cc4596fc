export { syncDirectory } from "./syncDirectory.ts";
