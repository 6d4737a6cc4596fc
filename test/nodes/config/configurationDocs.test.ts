import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configFlags } from "../../../nodes/config/index.ts";

const docs = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("documents every config field with its flag and default", () => {
    for (const flag of configFlags()) {
      const row = docs
        .split("\n")
        .find((line) => line.replace(/\s+/g, " ").startsWith(`| \`${flag.path}\` |`));
      expect(row, flag.path).toBeDefined();
      expect(row).toContain(`\`${flag.flag}\``);
      if (flag.default !== undefined) expect(row).toContain(`\`${JSON.stringify(flag.default)}\``);
    }
  });
});
