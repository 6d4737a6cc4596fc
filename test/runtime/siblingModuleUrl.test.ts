import { describe, expect, it } from "vitest";
import { siblingModuleUrl } from "../../src/runtime/index.ts";

describe("siblingModuleUrl", () => {
  it("keeps the .ts extension of a source module", () => {
    expect(
      siblingModuleUrl("file:///repo/nodes/execution/createCallPool.ts", "callWorker").href,
    ).toBe("file:///repo/nodes/execution/callWorker.ts");
  });

  it("uses .js beside a built module", () => {
    expect(
      siblingModuleUrl("file:///pkg/dist/nodes/execution/createCallPool.js", "callWorker").href,
    ).toBe("file:///pkg/dist/nodes/execution/callWorker.js");
  });

  it("finds an existing module from this test's own URL", () => {
    expect(siblingModuleUrl(import.meta.url, "siblingModuleUrl.test").pathname).toBe(
      new URL(import.meta.url).pathname,
    );
  });
});
