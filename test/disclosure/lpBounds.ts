import type { CountTable } from "../../src/disclosure/index.ts";

/**
 * Independent test auditor: the exact feasible range of every suppressed cell, by an exact
 * rational two-phase simplex (Bland's rule) over the table's line relations, the released
 * values and the lower bound. Knows nothing about hypercubes or flows.
 */

class Fraction {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    this.n = g > 1n ? n / g : n;
    this.d = g > 1n ? d / g : d;
  }
  add(o: Fraction) {
    return new Fraction(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Fraction) {
    return new Fraction(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Fraction) {
    return new Fraction(this.n * o.n, this.d * o.d);
  }
  div(o: Fraction) {
    return new Fraction(this.n * o.d, this.d * o.n);
  }
  sign() {
    return this.n > 0n ? 1 : this.n < 0n ? -1 : 0;
  }
  cmp(o: Fraction) {
    return this.sub(o).sign();
  }
  toNumber() {
    return Number(this.n) / Number(this.d);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

const zero = new Fraction(0n);

/** Line relations of an extended table: each lists the cells (+1) and its total (−1). */
export function lineRelations(table: CountTable): { cell: number; coefficient: number }[][] {
  const relations: { cell: number; coefficient: number }[][] = [];
  const { shape, strides, values } = table;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] ?? 0;
    const stride = strides[d] ?? 0;
    for (let base = 0; base < values.length; base++) {
      if (Math.floor(base / stride) % (n + 1) !== 0) continue;
      const relation = [];
      for (let k = 0; k < n; k++) relation.push({ cell: base + k * stride, coefficient: 1 });
      relation.push({ cell: base + n * stride, coefficient: -1 });
      relations.push(relation);
    }
  }
  return relations;
}

interface Tableau {
  rows: Fraction[][];
  basis: number[];
}

function pivot(t: Tableau, r: number, c: number): void {
  const row = t.rows[r] as Fraction[];
  const p = row[c] as Fraction;
  for (let j = 0; j < row.length; j++) row[j] = (row[j] as Fraction).div(p);
  t.rows.forEach((other, i) => {
    if (i === r) return;
    const f = other[c] as Fraction;
    if (f.sign() === 0) return;
    for (let j = 0; j < other.length; j++)
      other[j] = (other[j] as Fraction).sub(f.mul(row[j] as Fraction));
  });
  t.basis[r] = c;
}

/** Maximises cost·x over the tableau, columns < allowed only. Returns null if unbounded. */
function maximise(t: Tableau, cost: Fraction[], allowed: number): Fraction | null {
  for (;;) {
    let entering = -1;
    for (let j = 0; j < allowed; j++) {
      if (t.basis.includes(j)) continue;
      let reduced = cost[j] as Fraction;
      t.rows.forEach((row, i) => {
        reduced = reduced.sub((cost[t.basis[i] as number] as Fraction).mul(row[j] as Fraction));
      });
      if (reduced.sign() > 0) {
        entering = j;
        break;
      }
    }
    if (entering < 0) {
      let value = zero;
      t.rows.forEach((row, i) => {
        value = value.add(
          (cost[t.basis[i] as number] as Fraction).mul(row[row.length - 1] as Fraction),
        );
      });
      return value;
    }
    let leave = -1;
    let best: Fraction | null = null;
    t.rows.forEach((row, i) => {
      const a = row[entering] as Fraction;
      if (a.sign() <= 0) return;
      const ratio = (row[row.length - 1] as Fraction).div(a);
      const cmp = best === null ? -1 : ratio.cmp(best);
      if (cmp < 0 || (cmp === 0 && (t.basis[i] as number) < (t.basis[leave] as number))) {
        best = ratio;
        leave = i;
      }
    });
    if (leave < 0) return null;
    pivot(t, leave, entering);
  }
}

/**
 * Feasible [min, max] of every suppressed cell (max = Infinity when unbounded), given the
 * released cells' true values and suppressed cells ≥ lowerBound.
 */
export function lpBounds(
  table: CountTable,
  suppressed: (cell: number) => boolean,
  lowerBound: number,
): Map<number, { min: number; max: number }> {
  const unknowns: number[] = [];
  const column = new Map<number, number>();
  table.values.forEach((_, cell) => {
    if (suppressed(cell)) {
      column.set(cell, unknowns.length);
      unknowns.push(cell);
    }
  });
  const n = unknowns.length;
  const equations: { a: Fraction[]; b: Fraction }[] = [];
  for (const relation of lineRelations(table)) {
    const a = new Array<Fraction>(n).fill(zero);
    let b = 0;
    let involved = false;
    for (const { cell, coefficient } of relation) {
      const j = column.get(cell);
      if (j === undefined) b -= coefficient * (table.values[cell] ?? 0);
      else {
        involved = true;
        a[j] = new Fraction(BigInt(coefficient));
        b -= coefficient * lowerBound;
      }
    }
    if (involved) equations.push({ a, b: new Fraction(BigInt(b)) });
  }
  const m = equations.length;
  const rows = equations.map(({ a, b }) => {
    const flip = b.sign() < 0;
    const row = a.map((x) => (flip ? zero.sub(x) : x));
    for (let i = 0; i < m; i++) row.push(zero);
    row.push(flip ? zero.sub(b) : b);
    return row;
  });
  rows.forEach((row, i) => {
    row[n + i] = new Fraction(1n);
  });
  const t: Tableau = { rows, basis: rows.map((_, i) => n + i) };
  const phase1 = new Array<Fraction>(n + m)
    .fill(zero)
    .map((z, j) => (j >= n ? new Fraction(-1n) : z));
  const infeasibility = maximise(t, phase1, n + m);
  if (infeasibility === null || infeasibility.sign() !== 0)
    throw new Error("true table infeasible");
  for (let i = t.rows.length - 1; i >= 0; i--) {
    if ((t.basis[i] as number) < n) continue;
    const row = t.rows[i] as Fraction[];
    const j = row.findIndex((x, k) => k < n && x.sign() !== 0);
    if (j >= 0) pivot(t, i, j);
    else {
      t.rows.splice(i, 1);
      t.basis.splice(i, 1);
    }
  }
  const result = new Map<number, { min: number; max: number }>();
  unknowns.forEach((cell, j) => {
    const range = { min: 0, max: 0 };
    for (const direction of [1n, -1n]) {
      const copy: Tableau = { rows: t.rows.map((r) => [...r]), basis: [...t.basis] };
      const cost = new Array<Fraction>(n + m).fill(zero);
      cost[j] = new Fraction(direction);
      const best = maximise(copy, cost, n);
      if (direction === 1n) range.max = best === null ? Infinity : lowerBound + best.toNumber();
      else range.min = lowerBound - (best ?? zero).toNumber();
    }
    result.set(cell, range);
  });
  return result;
}
