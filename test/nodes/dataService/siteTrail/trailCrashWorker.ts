/**
 * Child process of the site trail's kill -9 test: opens the trail in argv[2] and appends
 * entries forever, many at once, printing `acked <seq>` after each append resolves (the moment
 * the data service would answer). The parent kills it at random moments.
 */
import { createSiteTrail } from "../../../../nodes/dataService/index.ts";

const trail = await createSiteTrail(process.argv[2] as string, {
  now: () => Math.floor(Date.now() / 1000),
});
process.stdout.write("ready\n");
let n = 0;
for (;;) {
  const batch = Array.from({ length: 1 + (n % 7) }, () => {
    n++;
    return trail
      .append("runFailed", {
        queryId: String(n),
        attempt: 1,
        errorCode: "OMOP_STORE_UNAVAILABLE",
        timedOut: false,
        interrupted: false,
        retry: true,
      })
      .then((entry) => process.stdout.write(`acked ${entry.seq}\n`));
  });
  await Promise.all(batch);
}
