// Calico's selector grammar (libcalico-go/lib/selector/tokenizer/tokenizer.go and parser/parser.go,
// v3.30.7), as a check: what Calico would refuse in an IP pool's nodeSelector, said before the operator
// refuses it in a TigeraStatus nobody reads. Facts carried over: labels are [A-Za-z0-9_./-]+ (at most
// 512), strings are '...' or "..." with no escapes, operators ==, !=, in {..}, not in {..}, contains,
// starts with, ends with, has(label), all(), global(), !, &&, || and parentheses.

type Token = { kind: string; value?: string };

const LABEL = /^[A-Za-z0-9_./-]+/;

function tokenize(input: string): Token[] | string {
  const tokens: Token[] = [];
  let rest = input;
  for (;;) {
    rest = rest.replace(/^[ \t]+/, "");
    if (rest === "") return [...tokens, { kind: "eof" }];
    const last = tokens[tokens.length - 1]?.kind;
    const fixed = ["(", ")", "{", "}", ",", "==", "!=", "&&", "||"].find((t) => rest.startsWith(t));
    if (fixed) {
      tokens.push({ kind: fixed });
      rest = rest.slice(fixed.length);
    } else if (rest[0] === "!") {
      tokens.push({ kind: "!" });
      rest = rest.slice(1);
    } else if (rest[0] === "=" || rest[0] === "&" || rest[0] === "|") {
      return `expected ${rest[0]}${rest[0]} at ${JSON.stringify(rest.slice(0, 20))}`;
    } else if (rest[0] === "'" || rest[0] === '"') {
      const end = rest.indexOf(rest[0], 1);
      if (end < 0) return "a string is not closed";
      tokens.push({ kind: "string", value: rest.slice(1, end) });
      rest = rest.slice(end + 1);
    } else if (last === "label") {
      const op = /^(contains|starts[ \t]*with|ends[ \t]*with|not[ \t]*in|in)(?![A-Za-z0-9_./-])/.exec(rest);
      if (!op) return `expected an operator (==, !=, in, not in, contains, starts with, ends with) after ${JSON.stringify(tokens[tokens.length - 1].value)}`;
      tokens.push({ kind: op[1].replace(/[ \t]+/g, " ") });
      rest = rest.slice(op[0].length);
    } else {
      const fn = /^(has|all|global)\([ \t]*([A-Za-z0-9_./-]*)[ \t]*\)/.exec(rest);
      if (fn) {
        if ((fn[1] === "has") !== (fn[2] !== "")) return `${fn[1]}(${fn[2]}) is not one of has(label), all(), global()`;
        tokens.push({ kind: fn[1], value: fn[2] });
        rest = rest.slice(fn[0].length);
        continue;
      }
      const label = LABEL.exec(rest);
      if (!label) return `unexpected ${JSON.stringify(rest[0])}`;
      if (label[0].length > 512) return "a label is longer than 512 characters";
      tokens.push({ kind: "label", value: label[0] });
      rest = rest.slice(label[0].length);
    }
  }
}

/** What Calico's parser would say about a selector, or undefined when it accepts it. */
export function selectorProblem(selector: string): string | undefined {
  const tokens = tokenize(selector);
  if (typeof tokens === "string") return tokens;
  let at = 0;
  const peek = (): string => tokens[at].kind;
  const operation = (): string | undefined => {
    while (peek() === "!") at++;
    const kind = peek();
    if (kind === "has" || kind === "all" || kind === "global") {
      at++;
      return undefined;
    }
    if (kind === "(") {
      at++;
      const inner = or();
      if (inner) return inner;
      if (peek() !== ")") return "a parenthesis is not closed";
      at++;
      return undefined;
    }
    if (kind !== "label") return kind === "eof" ? "the selector ends where an expression should follow" : `unexpected ${kind}`;
    const op = tokens[at + 1].kind;
    at += 2;
    if (["==", "!=", "contains", "starts with", "ends with"].includes(op)) {
      if (peek() !== "string") return `${op} must be followed by a quoted string, such as 'linux'`;
      at++;
      return undefined;
    }
    if (op === "in" || op === "not in") {
      if (peek() !== "{") return `${op} must be followed by a set, such as {'a', 'b'}`;
      at++;
      while (peek() === "string") {
        at++;
        if (peek() !== ",") break;
        at++;
      }
      if (peek() !== "}") return "a set is not closed with }";
      at++;
      return undefined;
    }
    return `expected == or != after ${JSON.stringify(tokens[at - 2].value)}`;
  };
  /** `next` joined by `op`: && binds tighter than ||, as in parser.go parseAndExpression/parseOrExpression. */
  const joined = (op: string, next: () => string | undefined) => (): string | undefined => {
    let problem = next();
    while (!problem && peek() === op) {
      at++;
      problem = next();
    }
    return problem;
  };
  const and = joined("&&", () => operation());
  const or = joined("||", and);
  if (peek() === "eof") return undefined;
  const problem = or();
  if (problem) return problem;
  return peek() === "eof" ? undefined : `unexpected ${peek()} after a complete expression`;
}
