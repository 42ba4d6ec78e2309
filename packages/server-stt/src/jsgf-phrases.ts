/**
 * The sentences of a finite JSGF grammar, for the keyword spotter that scores a grammar's
 * result: rules, alternatives with weights, groups, optional parts, rule references and
 * quoted tokens. Repeats (`*`, `+`), imports, recursion or more than `limit` sentences make
 * the grammar count as unbounded (undefined).
 */

type Node =
  | { kind: "word"; word: string }
  | { kind: "ref"; name: string }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "opt"; item: Node };

class Unbounded extends Error {}

const TOKEN =
  /\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/|<[^>]+>|"[^"]*"|\/[0-9.eE+-]+\/|\{[^}]*\}|[()[\]|*+;=]|[^\s()[\]|*+;=<>"{}/]+)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (m === null) break;
    pos = TOKEN.lastIndex;
    const tok = m[1] ?? "";
    if (!tok.startsWith("//") && !tok.startsWith("/*") && !tok.startsWith("{")) out.push(tok);
  }
  if (text.slice(pos).trim() !== "") throw new Unbounded("unparsed text");
  return out;
}

class Parser {
  #pos = 0;
  constructor(readonly toks: string[]) {}

  peek(): string | undefined {
    return this.toks[this.#pos];
  }
  next(): string {
    const t = this.toks[this.#pos++];
    if (t === undefined) throw new Unbounded("unexpected end");
    return t;
  }

  /** alternatives := [weight] sequence ('|' [weight] sequence)* */
  alternatives(): Node {
    const options: Node[] = [];
    for (;;) {
      if (/^\/[0-9.eE+-]+\/$/.test(this.peek() ?? "")) this.next();
      options.push(this.sequence());
      if (this.peek() !== "|") break;
      this.next();
    }
    return options.length === 1 ? (options[0] as Node) : { kind: "alt", options };
  }

  sequence(): Node {
    const items: Node[] = [];
    for (
      let t = this.peek();
      t !== undefined && ![")", "]", "|", ";"].includes(t);
      t = this.peek()
    ) {
      const item = this.item();
      if (this.peek() === "*" || this.peek() === "+") throw new Unbounded("repeat");
      items.push(item);
    }
    return { kind: "seq", items };
  }

  item(): Node {
    const t = this.next();
    if (t === "(" || t === "[") {
      const inner = this.alternatives();
      if (this.next() !== (t === "(" ? ")" : "]")) throw new Unbounded("unbalanced");
      return t === "(" ? inner : { kind: "opt", item: inner };
    }
    if (t.startsWith("<")) return { kind: "ref", name: t.slice(1, -1).replace(/^.*\./, "") };
    return { kind: "word", word: t.replace(/^"|"$/g, "") };
  }
}

/** Parses `text` into its rules and the names of its public rules. */
function parse(text: string): { rules: Map<string, Node>; pub: string[] } {
  const p = new Parser(tokenize(text));
  const rules = new Map<string, Node>();
  const pub: string[] = [];
  while (p.peek() !== undefined) {
    const first = p.next();
    if (first === "#JSGF" || first === "grammar") {
      while (p.next() !== ";");
      continue;
    }
    if (first === "import") throw new Unbounded("import");
    const isPublic = first === "public";
    const name = isPublic ? p.next() : first;
    if (!name.startsWith("<") || p.next() !== "=") throw new Unbounded("not a rule");
    const rule = name.slice(1, -1);
    rules.set(rule, p.alternatives());
    if (p.next() !== ";") throw new Unbounded("rule without ';'");
    if (isPublic) pub.push(rule);
  }
  return { rules, pub };
}

function expand(
  node: Node,
  rules: Map<string, Node>,
  active: Set<string>,
  limit: number,
): string[][] {
  switch (node.kind) {
    case "word":
      return [[node.word]];
    case "opt":
      return [[], ...expand(node.item, rules, active, limit)];
    case "alt":
      return node.options.flatMap((o) => expand(o, rules, active, limit));
    case "ref": {
      if (node.name === "NULL") return [[]];
      const rule = rules.get(node.name);
      if (rule === undefined || node.name === "VOID" || active.has(node.name)) {
        throw new Unbounded(`rule <${node.name}>`);
      }
      active.add(node.name);
      try {
        return expand(rule, rules, active, limit);
      } finally {
        active.delete(node.name);
      }
    }
    case "seq": {
      let acc: string[][] = [[]];
      for (const item of node.items) {
        const parts = expand(item, rules, active, limit);
        acc = acc.flatMap((a) => parts.map((b) => [...a, ...b]));
        if (acc.length > limit) throw new Unbounded("too many sentences");
      }
      return acc;
    }
  }
}

/**
 * The sentences (lowercase, single-spaced) a JSGF grammar accepts, or undefined when they
 * cannot be listed (repeats, imports, recursion, unknown rules, more than `limit`).
 */
export function jsgfPhrases(text: string, limit = 500): string[] | undefined {
  try {
    const { rules, pub } = parse(text);
    if (pub.length === 0) return undefined;
    const seen = new Set<string>();
    for (const name of pub) {
      for (const words of expand({ kind: "ref", name }, rules, new Set(), limit)) {
        const phrase = words.join(" ").toLowerCase().replace(/\s+/g, " ").trim();
        if (phrase !== "") seen.add(phrase);
        if (seen.size > limit) return undefined;
      }
    }
    return [...seen];
  } catch (err) {
    if (err instanceof Unbounded) return undefined;
    throw err;
  }
}
