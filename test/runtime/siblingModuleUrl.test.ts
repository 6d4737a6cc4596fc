import { describe, expect, it } from "vitest";
import { siblingModuleUrl } from "../../src/runtime/index.ts";

describe("siblingModuleUrl", () => {
  it("keeps the .ts extension of a source module", () => {
    expect(
      siblingModuleUrl("file:///repo/nodes/execution/StateWorkerPool.ts", "stateWorker").href,
    ).toBe("file:///repo/nodes/execution/stateWorker.ts");
  });

  it("uses .js beside a built module", () => {
    expect(
      siblingModuleUrl("file:///pkg/dist/nodes/execution/StateWorkerPool.js", "stateWorker").href,
    ).toBe("file:///pkg/dist/nodes/execution/stateWorker.js");
  });

  it("finds an existing module from this test's own URL", () => {
    expect(siblingModuleUrl(import.meta.url, "siblingModuleUrl.test").pathname).toBe(
      new URL(import.meta.url).pathname,
    );
  });
});
