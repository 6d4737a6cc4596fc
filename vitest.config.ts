import { configDefaults, defineConfig } from "vitest/config";

/** Suites that start real node processes or pack and install the package. */
const e2e = ["test/e2e/**/*.test.ts", "test/faults/**/*.test.ts", "test/package/**/*.test.ts"];
/** Contract behaviour on Hardhat's in-process network. */
const contracts = ["test/contracts/**/*.test.ts"];

// One project per kind of suite (`npm run test:unit|test:contracts|test:e2e`, or
// `vitest run --project <name>`); a plain `vitest run` runs all three once. `extends: true`
// gives every project the timeouts below.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: on a 2-core machine, one, so every
    // file ran in turn. Two let the unit files run beside the e2e chain (still one e2e file
    // at a time, below).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...e2e, ...contracts],
        },
      },
      { extends: true, test: { name: "contracts", include: contracts } },
      // Each e2e suite runs node processes (a network: 4–8 of them) on a 2-core machine: two
      // at once starve each other's timing, so their files run one after another.
      { extends: true, test: { name: "e2e", include: e2e, fileParallelism: false } },
    ],
  },
});
