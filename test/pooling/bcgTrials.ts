import type { SiteTwoByTwo } from "../../src/pooling/index.ts";

/**
 * The BCG vaccine trials (Colditz et al. 1994, JAMA 271:698; metafor's `dat.bcg`): 13
 * trials of vaccinated (exposed) vs not, outcome tuberculosis. Columns tpos, tneg, cpos,
 * cneg = a, b, c, d. Each trial stands in for a hospital here.
 */
export const bcgTrials: readonly SiteTwoByTwo[] = [
  { site: "01 Aronson 1948", a: 4, b: 119, c: 11, d: 128 },
  { site: "02 Ferguson & Simes 1949", a: 6, b: 300, c: 29, d: 274 },
  { site: "03 Rosenthal 1960", a: 3, b: 228, c: 11, d: 209 },
  { site: "04 Hart & Sutherland 1977", a: 62, b: 13536, c: 248, d: 12619 },
  { site: "05 Frimodt-Moller 1973", a: 33, b: 5036, c: 47, d: 5761 },
  { site: "06 Stein & Aronson 1953", a: 180, b: 1361, c: 372, d: 1079 },
  { site: "07 Vandiviere 1973", a: 8, b: 2537, c: 10, d: 619 },
  { site: "08 TPT Madras 1980", a: 505, b: 87886, c: 499, d: 87892 },
  { site: "09 Coetzee & Berjak 1968", a: 29, b: 7470, c: 45, d: 7232 },
  { site: "10 Rosenthal 1961", a: 17, b: 1699, c: 65, d: 1600 },
  { site: "11 Comstock 1974", a: 186, b: 50448, c: 141, d: 27197 },
  { site: "12 Comstock & Webster 1969", a: 5, b: 2493, c: 3, d: 2338 },
  { site: "13 Comstock 1976", a: 27, b: 16886, c: 29, d: 17825 },
];
