/** Aho-Corasick automaton over lower-cased phrases: one linear pass finds whether (and which) phrase occurs. */
export class AhoCorasick {
  #goto: Array<Map<number, number>> = [new Map()];
  #fail: number[] = [0];
  #out: Array<string | undefined> = [undefined];
  readonly size: number;
  /** full DFA (state × byte → state) when small enough; states with output are marked in #hasOut */
  #dfa: Int32Array | undefined;
  #hasOut: Uint8Array | undefined;

  constructor(phrases: string[]) {
    const uniq = [...new Set(phrases.map((p) => p.toLowerCase()).filter((p) => p.length > 0))];
    this.size = uniq.length;
    for (const p of uniq) {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let nx = this.#goto[s]?.get(c);
        if (nx === undefined) {
          nx = this.#goto.length;
          this.#goto.push(new Map());
          this.#fail.push(0);
          this.#out.push(undefined);
          this.#goto[s]?.set(c, nx);
        }
        s = nx;
      }
      if (this.#out[s] === undefined) this.#out[s] = p;
    }
    const queue: number[] = [];
    for (const nx of this.#goto[0]?.values() ?? []) queue.push(nx);
    for (let qi = 0; qi < queue.length; qi++) {
      const r = queue[qi] as number;
      for (const [c, u] of this.#goto[r] ?? []) {
        queue.push(u);
        let f = this.#fail[r] ?? 0;
        while (f !== 0 && !this.#goto[f]?.has(c)) f = this.#fail[f] ?? 0;
        const fu = this.#goto[f]?.get(c);
        this.#fail[u] = fu !== undefined && fu !== u ? fu : 0;
        if (this.#out[u] === undefined) this.#out[u] = this.#out[this.#fail[u] ?? 0];
      }
    }
    const n = this.#goto.length;
    if (n * 256 <= 1 << 18) {
      // dense DFA in BFS order (a state's failure target is always computed before it)
      const dfa = new Int32Array(n * 256);
      const hasOut = new Uint8Array(n);
      const order = [0, ...queue];
      for (const st of order) {
        hasOut[st] = this.#out[st] !== undefined ? 1 : 0;
        // row = failure state's row (already complete), then this state's own edges
        if (st !== 0) dfa.copyWithin(st * 256, (this.#fail[st] ?? 0) * 256, (this.#fail[st] ?? 0) * 256 + 256);
        for (const [c, nx] of this.#goto[st] ?? []) dfa[st * 256 + c] = nx;
      }
      this.#dfa = dfa;
      this.#hasOut = hasOut;
    }
  }

  /** First phrase found in `text` (compared case-insensitively for ASCII), or undefined. */
  find(text: string): string | undefined {
    const dfa = this.#dfa;
    const hasOut = this.#hasOut;
    if (dfa && hasOut) {
      let st = 0;
      for (let i = 0; i < text.length; i++) {
        let c = text.charCodeAt(i) & 0xff;
        if (c >= 65 && c <= 90) c += 32;
        st = dfa[st * 256 + c] as number;
        if (hasOut[st] === 1) return this.#out[st];
      }
      return undefined;
    }
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      for (;;) {
        const nx = this.#goto[s]?.get(c);
        if (nx !== undefined) { s = nx; break; }
        if (s === 0) break;
        s = this.#fail[s] ?? 0;
      }
      const o = this.#out[s];
      if (o !== undefined) return o;
    }
    return undefined;
  }
}
