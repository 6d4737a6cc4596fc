import type { SeededRandom } from "./createSeededRandom.ts";
import { formatOmopDate } from "./formatOmopDate.ts";
import { omopConcepts as c, type OmopConcept } from "./omopConcepts.ts";

/** Who to generate. */
export interface PersonInput {
  /** person_id, unique across the data set; record ids are `person_id * 100 + n`. */
  readonly personId: number;
  /** person_source_value, e.g. `H0-17`: what the hospital's pseudonymiser keys. */
  readonly sourceValue: string;
  /** The data set's "today" in days since 1970-01-01: no date lies after it. */
  readonly referenceDay: number;
}

/** One person's rows, each string whole CSV lines ending in "\n" (possibly none). */
export interface GeneratedPerson {
  readonly person: string;
  readonly observationPeriod: string;
  readonly visits: string;
  readonly conditions: string;
  readonly drugs: string;
  readonly measurements: string;
  /** First day of the observation period (days since 1970-01-01). */
  readonly observationStart: number;
  /** Last day of the observation period. */
  readonly observationEnd: number;
}

/** Most visits one person gets, so record ids stay `person_id * 100 + n` with n ≤ 99. */
export const MAX_VISITS_PER_PERSON = 24;

const YEAR = 365.25;
const EHR = c.ehr.conceptId;

// Age pyramid: US Census 2020 share per 5-year band (0–4 … 85–89, then 90–95) times a
// relative healthcare-use factor (MEPS visits per person: children low, 65+ about twice the
// 18–44 rate), so a hospital's patients skew older than the population.
const BAND_START = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90];
const CENSUS = [
  5.7, 6.0, 6.4, 6.5, 6.6, 6.9, 6.9, 6.6, 6.2, 6.1, 6.3, 6.5, 6.2, 5.3, 4.2, 2.8, 1.8, 1.1, 0.6,
];
const USE = [
  0.9, 0.6, 0.6, 0.7, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.1, 1.1, 1.2, 1.6, 1.6, 1.9, 1.9, 1.9, 1.9,
];
const BAND_CUMULATIVE = (() => {
  const weights = CENSUS.map((share, i) => share * (USE[i] as number));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => {
    sum += w / total;
    return sum;
  });
})();

function sampleAge(random: SeededRandom): number {
  const u = random.next();
  let band = 0;
  while (band < BAND_CUMULATIVE.length - 1 && u >= (BAND_CUMULATIVE[band] as number)) band++;
  const width = band === BAND_START.length - 1 ? 6 : 5;
  return (BAND_START[band] as number) + random.next() * width;
}

// Diagnosed prevalence by age at the end of observation (CDC: National Diabetes Statistics
// Report 2023; NHANES 2017–2020 hypertension and cholesterol; NHIS asthma; CKD Surveillance).
function diabetesRisk(age: number): number {
  return age < 18 ? 0.002 : age < 45 ? 0.04 : age < 65 ? 0.14 : 0.24;
}
function hypertensionRisk(age: number): number {
  return age < 18 ? 0.01 : age < 40 ? 0.08 : age < 60 ? 0.3 : 0.55;
}
function hyperlipidemiaRisk(age: number): number {
  return age < 18 ? 0.01 : age < 40 ? 0.06 : age < 60 ? 0.22 : 0.4;
}
function ckdRisk(age: number): number {
  return age < 18 ? 0.001 : age < 45 ? 0.02 : age < 65 ? 0.06 : 0.15;
}

/** Condition slots, in the order their rows are written. */
const T2D = 0;
const HTN = 1;
const HLD = 2;
const ASTHMA = 3;
const CKD = 4;
const CONDITIONS: readonly { concept: OmopConcept; minAge: number }[] = [
  { concept: c.type2Diabetes, minAge: 20 },
  { concept: c.hypertension, minAge: 18 },
  { concept: c.hyperlipidemia, minAge: 18 },
  { concept: c.asthma, minAge: 2 },
  { concept: c.chronicKidneyDisease, minAge: 18 },
];

/** A drug for a condition: who gets it, how it is dispensed. */
interface DrugRule {
  readonly concept: OmopConcept;
  readonly condition: number;
  readonly share: number;
  readonly perDay: number;
  /** Started at a later visit than the diagnosis (second-line), not at it. */
  readonly later: boolean;
}
const DRUGS: readonly DrugRule[] = [
  { concept: c.metformin, condition: T2D, share: 0.85, perDay: 2, later: false },
  { concept: c.insulinGlargine, condition: T2D, share: 0.2, perDay: 1, later: true },
  { concept: c.lisinopril, condition: HTN, share: 0.6, perDay: 1, later: false },
  { concept: c.amlodipine, condition: HTN, share: 0.35, perDay: 1, later: true },
  { concept: c.atorvastatin, condition: HLD, share: 0.7, perDay: 1, later: false },
  { concept: c.albuterol, condition: ASTHMA, share: 0.8, perDay: 0, later: false },
];

// Per-person scratch: generation is synchronous, so one set of arrays serves every person.
const visitDays = new Int32Array(MAX_VISITS_PER_PERSON);
const has = new Uint8Array(CONDITIONS.length);
const onsetVisit = new Int32Array(CONDITIONS.length);

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

function measurementLine(
  id: number,
  personId: number,
  measurement: OmopConcept,
  date: string,
  value: string,
  unit: OmopConcept,
  low: string,
  high: string,
  visitId: number,
): string {
  return `${id},${personId},${measurement.conceptId},${date},${date} 00:00:00,,${EHR},,${value},,${unit.conceptId},${low},${high},,${visitId},,${measurement.code},${measurement.conceptId},${unit.code},,${value},,\n`;
}

/**
 * Generates one synthetic person and all their rows from `random`: sex, race, ethnicity, a
 * birth date from an adult-skewed age pyramid, an observation period ending at (or, for 5 %,
 * before) the reference day, visits, chronic conditions with age-dependent and correlated
 * prevalence (diabetes raises hypertension, hyperlipidaemia and CKD risk; obesity raises
 * diabetes risk), drugs that treat them, and HbA1c, BMI and systolic blood pressure
 * measurements that depend on the conditions. Every condition, drug and measurement lies on a
 * visit inside the observation period, after birth. Pure: the output depends only on `input`
 * and the draws, and the number of draws does not depend on any rate of the caller.
 *
 * @example
 * ```ts
 * const rows = generatePerson(createSeededRandom("x"), { personId: 1, sourceValue: "H0-0", referenceDay: omopDay("2024-12-31") });
 * rows.person; // "1,8532,1961,…\n"
 * ```
 */
export function generatePerson(random: SeededRandom, input: PersonInput): GeneratedPerson {
  const { personId, sourceValue, referenceDay } = input;
  const idBase = personId * 100;

  // Demographics. Sex 49/51 (Census); race and ethnicity near US shares, folded into the
  // three race concepts the generator uses (white 76 %, Black 15 %, Asian 9 %; Hispanic 18 %).
  const female = random.chance(0.51);
  const raceDraw = random.next();
  const race = raceDraw < 0.76 ? c.white : raceDraw < 0.91 ? c.black : c.asian;
  const hispanic = random.chance(0.18);
  const age = sampleAge(random);
  const birthDay = referenceDay - Math.floor(age * YEAR);
  const birth = formatOmopDate(birthDay);
  const gender = female ? c.female : c.male;
  const person = `${personId},${gender.conceptId},${birth.slice(0, 4)},${+birth.slice(5, 7)},${+birth.slice(8, 10)},${birth} 00:00:00,${race.conceptId},${hispanic ? c.hispanic.conceptId : c.notHispanic.conceptId},,,,${sourceValue},${gender.code},,${race === c.white ? "white" : race === c.black ? "black" : "asian"},,${hispanic ? "hispanic" : "nonhispanic"},\n`;

  // Observation: 1–15 years of records before the reference day (never before birth); 5 %
  // leave care earlier.
  const lookback = Math.floor((1 + 14 * random.next()) * YEAR);
  const start = Math.max(birthDay, referenceDay - lookback);
  const leftEarly = random.chance(0.05);
  const leftAfter = random.next();
  const end = leftEarly
    ? start + Math.floor((referenceDay - start) * (0.3 + 0.7 * leftAfter))
    : referenceDay;
  const observationPeriod = `${personId},${personId},${formatOmopDate(start)},${formatOmopDate(end)},${EHR}\n`;
  const ageAtEnd = (end - birthDay) / YEAR;

  // Latent BMI (NHANES 2017–2018 adult mean 29.6, SD ≈ 6.5); obesity doubles diabetes risk.
  const adult = ageAtEnd >= 18;
  const bmi = adult
    ? clamp(random.normal(29.6, 6.5), 16, 60)
    : clamp(random.normal(15.5 + 0.35 * ageAtEnd, 2.5), 12, 35);
  const obese = adult && bmi >= 30;

  // Conditions, each drawn once whatever the others are (fixed number of draws).
  const dT2d = random.next();
  const dHtn = random.next();
  const dHld = random.next();
  const dAsthma = random.next();
  const dCkd = random.next();
  has[T2D] = dT2d < diabetesRisk(ageAtEnd) * (obese ? 1.8 : 0.6) ? 1 : 0;
  has[HTN] = dHtn < Math.min(0.95, hypertensionRisk(ageAtEnd) * (has[T2D] ? 1.5 : 1)) ? 1 : 0;
  has[HLD] =
    dHld <
    Math.min(0.95, hyperlipidemiaRisk(ageAtEnd) * (has[T2D] ? 1.5 : 1) * (has[HTN] ? 1.3 : 1))
      ? 1
      : 0;
  has[ASTHMA] = dAsthma < (adult ? 0.08 : 0.065) ? 1 : 0;
  has[CKD] = dCkd < ckdRisk(ageAtEnd) * (has[T2D] ? 2 : 1) * (has[HTN] ? 1.5 : 1) ? 1 : 0;
  const conditionCount = has[T2D] + has[HTN] + has[HLD] + has[ASTHMA] + has[CKD];

  // Visits: about 0.6 a year, more with each chronic condition and after 65; the first opens
  // the observation period.
  const years = (end - start + 1) / YEAR;
  const rate = 0.6 + 0.5 * conditionCount + (ageAtEnd >= 65 ? 0.5 : 0);
  const visitCount = clamp(
    Math.round(years * rate * (0.5 + random.next())),
    1,
    MAX_VISITS_PER_PERSON,
  );
  visitDays[0] = start;
  const span = end - start + 1;
  for (let i = 1; i < visitCount; i++) visitDays[i] = start + Math.floor(random.next() * span);
  visitDays.subarray(0, visitCount).sort();
  const inpatientShare = 0.03 + (ageAtEnd >= 65 ? 0.04 : 0) + 0.01 * conditionCount;
  let visits = "";
  for (let i = 0; i < visitCount; i++) {
    const day = visitDays[i] as number;
    const kind = random.next();
    const stay = 1 + random.below(7);
    const visit =
      kind < inpatientShare
        ? c.inpatientVisit
        : kind < inpatientShare + 0.08
          ? c.emergencyVisit
          : c.outpatientVisit;
    const last = visit === c.inpatientVisit ? Math.min(day + stay, end) : day;
    const date = formatOmopDate(day);
    const lastDate = formatOmopDate(last);
    visits += `${idBase + i + 1},${personId},${visit.conceptId},${date},${date} 00:00:00,${lastDate},${lastDate} 00:00:00,${EHR},,,${visit.code},,,,,,${i === 0 ? "" : idBase + i}\n`;
  }

  // Each condition is diagnosed at a visit old enough for it: 40 % at the first such visit
  // (known when records begin), the rest at a random later one.
  let conditions = "";
  let conditionId = idBase;
  for (let k = 0; k < CONDITIONS.length; k++) {
    const { concept, minAge } = CONDITIONS[k] as { concept: OmopConcept; minAge: number };
    const prevalent = random.chance(0.4);
    const pick = random.next();
    onsetVisit[k] = -1;
    if (has[k] === 0) continue;
    const earliest = birthDay + Math.ceil(minAge * YEAR);
    let first = 0;
    while (first < visitCount && (visitDays[first] as number) < earliest) first++;
    if (first === visitCount) {
      has[k] = 0;
      continue;
    }
    const at = prevalent ? first : first + Math.floor(pick * (visitCount - first));
    onsetVisit[k] = at;
    const date = formatOmopDate(visitDays[at] as number);
    conditions += `${++conditionId},${personId},${concept.conceptId},${date},${date} 00:00:00,,,${EHR},,,,${idBase + at + 1},,${concept.code},${concept.conceptId},\n`;
  }

  // Drugs: from the diagnosis visit (second-line drugs from a later one), one prescription per
  // visit for up to three visits, 30 or 90 days with 0–5 refills, ending by the end of
  // observation.
  let drugs = "";
  let drugId = idBase;
  for (const rule of DRUGS) {
    const takes = random.chance(rule.share);
    const startPick = random.next();
    const prescriptions = 1 + random.below(3);
    const ninety = random.chance(0.4);
    const refills = random.below(6);
    const onset = onsetVisit[rule.condition] as number;
    if (!takes || onset < 0) continue;
    // A second-line drug starts at a later visit when there is one.
    const first =
      rule.later && onset + 1 < visitCount
        ? onset + 1 + Math.floor(startPick * (visitCount - onset - 1))
        : onset;
    const last = Math.min(visitCount, first + prescriptions);
    const inhaler = rule.perDay === 0;
    const days = inhaler ? 30 : ninety ? 90 : 30;
    const fills = inhaler ? Math.min(refills, 2) : refills;
    const quantity = inhaler ? 1 : days * rule.perDay;
    for (let v = first; v < last; v++) {
      const day = visitDays[v] as number;
      const stop = Math.min(day + days * (fills + 1) - 1, end);
      const date = formatOmopDate(day);
      const stopDate = formatOmopDate(stop);
      drugs += `${++drugId},${personId},${rule.concept.conceptId},${date},${date} 00:00:00,${stopDate},${stopDate} 00:00:00,,${EHR},,${fills},${quantity},${days},,,,,${idBase + v + 1},,${rule.concept.code},${rule.concept.conceptId},,\n`;
    }
  }

  // Measurements at each visit. Systolic pressure rises ≈ 0.5 mmHg a year of adult age
  // (NHANES), +20 for hypertension before diagnosis and +12 after (treated, not at target).
  // HbA1c ≈ 5.4 % ± 0.3 without diabetes, 7.4 % ± 1.1 with it (NHANES diabetics' mean ≈ 7.2–7.5).
  let measurements = "";
  let measurementId = idBase;
  const pressureOffset = random.normal(0, 10);
  const a1cHealthy = random.normal(5.4, 0.3);
  const a1cDiabetic = Math.max(6.5, random.normal(7.4, 1.1));
  const t2dOnset = has[T2D] ? (onsetVisit[T2D] as number) : MAX_VISITS_PER_PERSON;
  const htnOnset = has[HTN] ? (onsetVisit[HTN] as number) : -1;
  for (let v = 0; v < visitCount; v++) {
    const day = visitDays[v] as number;
    const ageThen = (day - birthDay) / YEAR;
    const grown = ageThen >= 18;
    const takeBmi = random.chance(grown ? 0.6 : 0.3);
    const takePressure = random.chance(grown ? 0.8 : 0.3);
    const takeA1c = random.chance(v >= t2dOnset ? 0.7 : grown ? 0.1 : 0);
    const bmiNoise = random.normal(0, 0.8);
    const pressureNoise = random.normal(0, 7);
    const a1cNoise = random.normal(0, 1);
    if (!takeBmi && !takePressure && !takeA1c) continue;
    const visitId = idBase + v + 1;
    const date = formatOmopDate(day);
    if (takeBmi) {
      const value = clamp(bmi + bmiNoise, 12, 70).toFixed(1);
      measurements += measurementLine(
        ++measurementId,
        personId,
        c.bmi,
        date,
        value,
        c.kilogramPerSquareMeter,
        "18.5",
        "24.9",
        visitId,
      );
    }
    if (takePressure) {
      const base = grown ? 105 + 0.5 * (ageThen - 20) : 95 + ageThen;
      const disease = htnOnset < 0 ? 0 : v >= htnOnset ? 12 : 20;
      const value = String(
        Math.round(clamp(base + disease + pressureOffset + pressureNoise, 75, 230)),
      );
      measurements += measurementLine(
        ++measurementId,
        personId,
        c.systolicBloodPressure,
        date,
        value,
        c.millimeterMercury,
        "90",
        "120",
        visitId,
      );
    }
    if (takeA1c) {
      const diabetic = v >= t2dOnset;
      // Before diagnosis a future diabetic sits in the prediabetic range.
      const level = diabetic
        ? a1cDiabetic + 0.5 * a1cNoise
        : a1cHealthy + (has[T2D] ? 0.6 : 0) + 0.15 * a1cNoise;
      const value = clamp(level, 4, 14).toFixed(1);
      measurements += measurementLine(
        ++measurementId,
        personId,
        c.hba1c,
        date,
        value,
        c.percent,
        "4.0",
        "5.6",
        visitId,
      );
    }
  }

  return {
    person,
    observationPeriod,
    visits,
    conditions,
    drugs,
    measurements,
    observationStart: start,
    observationEnd: end,
  };
}
