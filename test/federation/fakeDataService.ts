import { CustosError } from "../../src/errors/index.ts";
import {
  type DataServiceClient,
  type DataServiceJob,
  type DeclineReason,
  declineReasons,
  type SignedQueryResult,
} from "../../src/federation/index.ts";

/** What a fake hospital does once its query is approved. */
export type FakeAnswer =
  | { readonly kind: "record"; readonly act: () => Promise<SignedQueryResult> }
  | {
      readonly kind: "decline";
      readonly act: () => Promise<unknown>;
      readonly reason: DeclineReason;
    }
  /** Runs forever: the job never leaves `running`. */
  | { readonly kind: "stuck" }
  /** The service is down: every call fails as the real client does when it cannot connect. */
  | { readonly kind: "down" };

/**
 * An in-process data service for orchestration tests: it accepts the spec, and on the first
 * job poll after `isApproved()` it acts (records or declines on the real chain) and then
 * reports the final state.
 */
export function fakeDataService(
  answer: FakeAnswer,
  isApproved: () => Promise<boolean>,
): DataServiceClient & { readonly calls: string[] } {
  const calls: string[] = [];
  let job: DataServiceJob | null = null;
  let signed: SignedQueryResult | null = null;
  const down = (path: string) =>
    new CustosError("DATA_SERVICE_UNAVAILABLE", "data service cannot be reached", {
      details: { service: "dataService", url: `http://down.invalid${path}`, reason: "network" },
    });
  return {
    calls,
    baseUrl: "http://fake.invalid/",
    policy: async () => ({ hospitalId: 0 }),
    putSpec: async (queryId) => {
      calls.push(`put ${queryId}`);
      if (answer.kind === "down") throw down("/spec");
      job = {
        queryId: String(queryId),
        state: "queued",
        reason: null,
        reasonCode: null,
        attempts: 0,
      };
      return job;
    },
    job: async (queryId) => {
      calls.push(`job ${queryId}`);
      if (answer.kind === "down") throw down("/queries");
      if (job === null) {
        throw new CustosError("DATA_SERVICE_QUERY_UNKNOWN", "unknown query", { details: {} });
      }
      if (job.state === "queued" && (await isApproved())) {
        if (answer.kind === "stuck") job = { ...job, state: "running", attempts: 1 };
        if (answer.kind === "record") {
          signed = await answer.act();
          job = { ...job, state: "recorded", attempts: 1 };
        }
        if (answer.kind === "decline") {
          await answer.act();
          job = {
            ...job,
            state: "declined",
            reason: answer.reason,
            reasonCode: declineReasons[answer.reason],
            attempts: 1,
          };
        }
      }
      return job;
    },
    result: async (queryId) => {
      calls.push(`result ${queryId}`);
      if (signed === null) {
        throw new CustosError("DATA_SERVICE_RESULT_PENDING", "not yet", { details: {} });
      }
      return signed;
    },
  };
}
