import { createMasterKey, deriveProjectKey } from "../../src/pseudonym/index.ts";

/** A fixed test master key (not secret: tests only). */
export const TEST_MASTER_HEX = `0x${"a1".repeat(16)}${"5c".repeat(16)}`;

export const master = createMasterKey(TEST_MASTER_HEX);
export const projectA = deriveProjectKey(master, { projectId: "trial-a" });
export const projectB = deriveProjectKey(master, { projectId: "trial-b" });
