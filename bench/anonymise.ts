import { mkdirSync, writeFileSync } from "node:fs";
import { loadAdult } from "../scripts/loadAdult.ts";
import { type AnonymiseOptions, anonymise, type Table } from "../src/anonymise/index.ts";
import { disclosure10kTable, measureDisclosureRelease } from "./disclosureTable.ts";

const { table: adult, attributes } = loadAdult();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(table: Table, options: AnonymiseOptions, warmup: number, runs: number) {
  for (let i = 0; i < warmup; i++) anonymise(table, options);
  const times: number[] = [];
  let result = anonymise(table, options);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = anonymise(table, options);
    times.push(performance.now() - start);
  }
  return { ms: median(times), result };
}

/** 1 M rows drawn column by column from Adult's value frequencies (seeded xorshift). */
function synthetic(rows: number): Table {
  let state = 0x2545f491;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const codes = adult.columns.map((_, c) => {
    const source = adult.codes[c] as Int32Array;
    const column = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      column[r] = source[Math.floor(random() * adult.rowCount)] as number;
    }
    return column;
  });
  return { columns: adult.columns, rowCount: rows, dictionaries: adult.dictionaries, codes };
}

// Measured first, before the anonymisation runs fill the heap.
const disclosure = await measureDisclosureRelease(disclosure10kTable(), 21, 3);

const k5 = { attributes, models: [{ type: "k-anonymity", k: 5 }] } as const;
const adultK5 = time(adult, { ...k5, suppressionLimit: 0 }, 5, 15);
const adultK5Supp5 = time(adult, { ...k5, suppressionLimit: 0.05 }, 3, 9);
const adultK11Supp5 = time(
  adult,
  { attributes, models: [{ type: "k-anonymity", k: 11 }], suppressionLimit: 0.05 },
  3,
  9,
);

const mondrianK5 = { ...k5, search: "mondrian" } as const;
const adultMondrianK5 = time(adult, mondrianK5, 3, 9);
const adultMondrianK5L3 = time(
  adult,
  {
    attributes,
    models: [
      { type: "k-anonymity", k: 5 },
      { type: "distinct-l-diversity", attribute: "occupation", l: 3 },
    ],
    search: "mondrian",
  },
  3,
  9,
);

// k-map: ARX's TestAnonymizationKMap setting (zero-truncated Poisson, α = 0.01, USA
// population, 5 % suppression, entropy), and a population table: a 10 % sample of Adult
// (every tenth row) against the whole of Adult as the registry.
const kMapEstimated = time(
  adult,
  {
    attributes,
    models: [
      {
        type: "k-map",
        k: 1000,
        estimator: "zero-truncated-poisson",
        significanceLevel: 0.01,
        populationSize: 317_238_626,
      },
    ],
    suppressionLimit: 0.05,
    metric: "entropy",
  },
  3,
  9,
);
const sampleRows = Array.from({ length: Math.ceil(adult.rowCount / 10) }, (_, i) => i * 10);
const adultSample: Table = {
  ...adult,
  rowCount: sampleRows.length,
  codes: adult.codes.map((codes) => Int32Array.from(sampleRows, (row) => codes[row] as number)),
};
const kMapPopulation = { type: "k-map", k: 11, population: adult } as const;
const kMapSample = time(adultSample, { attributes, models: [kMapPopulation] }, 3, 9);
const kMapSampleSupp = time(
  adultSample,
  { attributes, models: [kMapPopulation], suppressionLimit: 0.05 },
  3,
  9,
);
const kMapSampleMondrian = time(
  adultSample,
  { attributes, models: [kMapPopulation], search: "mondrian" },
  3,
  9,
);

const before = process.memoryUsage().rss;
const big = synthetic(1_000_000);
let peak = process.memoryUsage().rss;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const rows1MK5 = time(big, { ...k5, suppressionLimit: 0 }, 1, 3);
const rows1MSupp = time(big, { ...k5, suppressionLimit: 0.05 }, 0, 1);
const rows1MMondrian = time(big, mondrianK5, 1, 3);
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);

const results = {
  adultK5Ms: adultK5.ms,
  adultK5Transformation: adultK5.result.transformation,
  adultK5Loss: adultK5.result.metrics.loss,
  adultK5Suppressed: adultK5.result.risk.suppressedRecords,
  adultK5Checks: adultK5.result.search.checks,
  adultK5Supp5Ms: adultK5Supp5.ms,
  adultK5Supp5Transformation: adultK5Supp5.result.transformation,
  adultK5Supp5Loss: adultK5Supp5.result.metrics.loss,
  adultK5Supp5Suppressed: adultK5Supp5.result.risk.suppressedRecords,
  adultK11Supp5Ms: adultK11Supp5.ms,
  adultK11Supp5Transformation: adultK11Supp5.result.transformation,
  adultK11Supp5Loss: adultK11Supp5.result.metrics.loss,
  adultK11Supp5Suppressed: adultK11Supp5.result.risk.suppressedRecords,
  rows1MK5Ms: rows1MK5.ms,
  rows1MK5Transformation: rows1MK5.result.transformation,
  rows1MK5Checks: rows1MK5.result.search.checks,
  rows1MSuppMs: rows1MSupp.ms,
  rows1MSuppTransformation: rows1MSupp.result.transformation,
  rows1MSuppSuppressed: rows1MSupp.result.risk.suppressedRecords,
  rows1MSuppChecks: rows1MSupp.result.search.checks,
  mondrianAdultK5Ms: adultMondrianK5.ms,
  mondrianAdultK5Loss: adultMondrianK5.result.metrics.loss,
  mondrianAdultK5Classes: adultMondrianK5.result.risk.classes.count,
  mondrianAdultK5MinClass: adultMondrianK5.result.risk.classes.minSize,
  mondrianAdultK5Discernibility: adultMondrianK5.result.metrics.discernibility,
  adultK5Discernibility: adultK5.result.metrics.discernibility,
  mondrianAdultK5L3Ms: adultMondrianK5L3.ms,
  mondrianAdultK5L3Loss: adultMondrianK5L3.result.metrics.loss,
  mondrianRows1MK5Ms: rows1MMondrian.ms,
  mondrianRows1MK5Loss: rows1MMondrian.result.metrics.loss,
  mondrianRows1MK5Classes: rows1MMondrian.result.risk.classes.count,
  rows1MK5Loss: rows1MK5.result.metrics.loss,
  kMapAdultZtpK1000Ms: kMapEstimated.ms,
  kMapAdultZtpK1000DerivedK: kMapEstimated.result.kMapEstimates[0]?.derivedK,
  kMapAdultZtpK1000Transformation: kMapEstimated.result.transformation,
  kMapSample10PctK11Ms: kMapSample.ms,
  kMapSample10PctK11Transformation: kMapSample.result.transformation,
  kMapSample10PctK11Checks: kMapSample.result.search.checks,
  kMapSample10PctK11MinPopulationClass: kMapSample.result.risk.population?.minClassSize,
  kMapSample10PctK11Loss: kMapSample.result.metrics.loss,
  kMapSample10PctK11Supp5Ms: kMapSampleSupp.ms,
  kMapSample10PctK11Supp5Transformation: kMapSampleSupp.result.transformation,
  kMapSample10PctK11Supp5Loss: kMapSampleSupp.result.metrics.loss,
  kMapSample10PctK11Supp5Suppressed: kMapSampleSupp.result.risk.suppressedRecords,
  kMapSample10PctK11MondrianMs: kMapSampleMondrian.ms,
  kMapSample10PctK11MondrianLoss: kMapSampleMondrian.result.metrics.loss,
  kMapSample10PctK11MondrianClasses: kMapSampleMondrian.result.risk.classes.count,
  disclosure10kCellsMs: Number(disclosure.medianMs.toFixed(2)),
  disclosure10kCellsFastestMs: Number(disclosure.fastestMs.toFixed(2)),
  rows1MPeakMiB: Math.round(peak / 2 ** 20),
  rows1MRssBeforeMiB: Math.round(before / 2 ** 20),
  node: process.version,
};
mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("results/anonymise.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(results);
