// The live view's filter evaluated in the browser, so that a new filter applies at once to the
// events already received while the server restarts the stream. The server runs full CEL (the
// Common Expression Language, web/src/main/java/io/valentia/web/stream/EventFilter.java); this is
// the part of CEL people type most, with CEL's rules: names, `data.a.b`, `data['a b']`,
// `event.x`, `list[0]`, `== != < <= > >= in && || !`, lists, `has()`, and the methods
// startsWith, endsWith, contains, matches and size; severity names compare by rank as on the
// server. Reading an absent key is an error, which `&&` and `||` absorb as CEL does and which
// otherwise passes nothing. For anything else (macros such as exists, timestamps, arithmetic)
// compile() gives null and the page shows what the server's new stream sends; the server stays the
// judge of syntax (its 400 names the column).
"use strict";

const eventFilter = (() => {
  const MISSING = Symbol("missing");
  const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 };
  const OPERATORS = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ".", ","];
  class Unevaluable extends Error {}
  class SyntaxProblem extends Error {}

  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const bool = (v) => { if (typeof v !== "boolean") throw new Unevaluable(); return v; };
  const text = (v) => { if (typeof v !== "string") throw new Unevaluable(); return v; };

  function equal(a, b) {
    if (a === MISSING || b === MISSING) throw new Unevaluable();
    if (typeof a === "number" && typeof b === "number") return a === b;
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function order(a, b) {
    if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === "string" && typeof b === "string") {
      const ra = SEVERITY_RANK[a], rb = SEVERITY_RANK[b];
      if (Object.hasOwn(SEVERITY_RANK, a) && Object.hasOwn(SEVERITY_RANK, b)) return ra - rb;
      return a < b ? -1 : a > b ? 1 : 0;
    }
    throw new Unevaluable();
  }

  function child(value, key) {
    if (value === MISSING) throw new Unevaluable();
    if (isObject(value) && typeof key === "string") return Object.hasOwn(value, key) ? value[key] : MISSING;
    if (Array.isArray(value) && typeof key === "number" && Number.isInteger(key)) {
      return key >= 0 && key < value.length ? value[key] : MISSING;
    }
    return MISSING;
  }

  // `||` (decisive true) and `&&` (decisive false) as CEL: a decisive side wins over an error
  // on the other, whichever it is on; otherwise an error stays an error
  function logical(l, r, e, decisive) {
    let a, failed = null;
    try { a = bool(l(e)); } catch (x) { if (!(x instanceof Unevaluable)) throw x; failed = x; }
    if (!failed && a === decisive) return decisive;
    const b = bool(r(e));
    if (b === decisive) return decisive;
    if (failed) throw failed;
    return !decisive;
  }

  function tokenize(source) {
    const tokens = [];
    let i = 0;
    const n = source.length;
    outer: while (i < n) {
      const c = source[i];
      const column = i + 1;
      if (/\s/.test(c)) { i++; continue; }
      if (/[\p{L}_]/u.test(c)) {
        const start = i;
        while (i < n && /[\p{L}\p{Nd}_]/u.test(source[i])) i++;
        tokens.push({ kind: "name", text: source.slice(start, i), column });
        continue;
      }
      if (/\d/.test(c) || (c === "-" && /\d/.test(source[i + 1] || ""))) {
        const start = i++;
        while (i < n && /[\d.]/.test(source[i])) i++;
        const number = source.slice(start, i);
        if (!/^-?\d+(\.\d*)?$/.test(number)) throw new SyntaxProblem("not a number: " + number);
        tokens.push({ kind: "number", text: number, column });
        continue;
      }
      if (c === "\"" || c === "'") {
        let value = "";
        i++;
        for (;;) {
          if (i >= n) throw new SyntaxProblem("a string is not closed");
          const d = source[i++];
          if (d === c) break;
          if (d === "\\") {
            if (i >= n) throw new SyntaxProblem("a string is not closed");
            const escaped = source[i++];
            value += escaped === "n" ? "\n" : escaped === "t" ? "\t"
              : "\\\"'".includes(escaped) ? escaped : "\\" + escaped;
          } else {
            value += d;
          }
        }
        tokens.push({ kind: "string", text: value, column });
        continue;
      }
      for (const op of OPERATORS) {
        if (source.startsWith(op, i)) {
          tokens.push({ kind: "op", text: op, column });
          i += op.length;
          continue outer;
        }
      }
      throw new SyntaxProblem("unexpected character at column " + column);
    }
    tokens.push({ kind: "end", text: "", column: n + 1 });
    return tokens;
  }

  function parse(source) {
    const tokens = tokenize(source);
    let next = 0;
    const peek = () => tokens[next];
    const accept = (op) => {
      const t = peek();
      if ((t.kind === "op" || t.kind === "name") && t.text === op) { next++; return true; }
      return false;
    };
    const expect = (op) => { if (!accept(op)) throw new SyntaxProblem("expected " + op); };

    function expression() {
      let left = and();
      while (accept("||")) {
        const l = left, r = and();
        left = (e) => logical(l, r, e, true);
      }
      return left;
    }
    function and() {
      let left = unary();
      while (accept("&&")) {
        const l = left, r = unary();
        left = (e) => logical(l, r, e, false);
      }
      return left;
    }
    function unary() {
      if (accept("!")) { const operand = unary(); return (e) => !bool(operand(e)); }
      return relation();
    }
    function relation() {
      const left = member();
      const op = peek();
      if (!(op.kind === "op" || (op.kind === "name" && op.text === "in"))) return left;
      if (!["==", "!=", "<", "<=", ">", ">=", "in"].includes(op.text)) return left;
      next++;
      const right = member();
      const compare = (e) => {
        const a = left(e), b = right(e);
        if (a === MISSING || b === MISSING || a === null || b === null) throw new Unevaluable();
        return order(a, b);
      };
      switch (op.text) {
        case "==": return (e) => equal(left(e), right(e));
        case "!=": return (e) => !equal(left(e), right(e));
        case "<": return (e) => compare(e) < 0;
        case "<=": return (e) => compare(e) <= 0;
        case ">": return (e) => compare(e) > 0;
        case ">=": return (e) => compare(e) >= 0;
        default: return (e) => {
          const container = right(e), element = left(e);
          if (container === MISSING || element === MISSING) throw new Unevaluable();
          if (Array.isArray(container)) return container.some((item) => equal(item, element));
          if (isObject(container) && typeof element === "string") return Object.hasOwn(container, element);
          return false;
        };
      }
    }
    function member() {
      let value = primary();
      for (;;) {
        if (accept(".")) {
          const name = peek();
          if (name.kind !== "name") throw new SyntaxProblem("expected a name after '.'");
          next++;
          if (peek().kind === "op" && peek().text === "(") {
            next++;
            value = method(value, name.text);
          } else {
            const target = value;
            value = (e) => child(target(e), name.text);
          }
        } else if (accept("[")) {
          const index = expression();
          expect("]");
          const target = value;
          value = (e) => child(target(e), index(e));
        } else {
          return value;
        }
      }
    }
    function method(target, name) {
      const args = [];
      const argTokens = [];
      if (!accept(")")) {
        do { argTokens.push(peek()); args.push(expression()); } while (accept(","));
        expect(")");
      }
      const expected = name === "size" ? 0 : 1;
      if (!["startsWith", "endsWith", "contains", "matches", "size"].includes(name)) {
        throw new SyntaxProblem("unknown function " + name + "()");
      }
      if (args.length !== expected) throw new SyntaxProblem(name + "() takes " + expected + " arguments");
      switch (name) {
        case "startsWith": return (e) => text(target(e)).startsWith(text(args[0](e)));
        case "endsWith": return (e) => text(target(e)).endsWith(text(args[0](e)));
        case "contains": return (e) => text(target(e)).includes(text(args[0](e)));
        case "matches": {
          const regex = (source) => {
            try { return new RegExp(source, "u"); } catch (x) { return null; }
          };
          if (argTokens[0].kind === "string") {
            // a pattern Java accepts but JavaScript does not: pass nothing rather than guess
            const compiled = regex(argTokens[0].text);
            return (e) => { if (!compiled) throw new Unevaluable(); return compiled.test(text(target(e))); };
          }
          return (e) => {
            const compiled = regex(text(args[0](e)));
            if (!compiled) throw new Unevaluable();
            return compiled.test(text(target(e)));
          };
        }
        default: return (e) => {
          const value = target(e);
          if (typeof value === "string") return [...value].length;
          if (Array.isArray(value)) return value.length;
          if (isObject(value)) return Object.keys(value).length;
          throw new Unevaluable();
        };
      }
    }
    function primary() {
      const token = peek();
      if (token.kind === "string") { next++; return () => token.text; }
      if (token.kind === "number") { next++; const v = Number(token.text); return () => v; }
      if (token.kind === "name") {
        next++;
        switch (token.text) {
          case "true": return () => true;
          case "false": return () => false;
          case "null": return () => null;
          case "in": throw new SyntaxProblem("expected a value, found 'in'");
          case "has": {
            expect("(");
            const inner = member();
            expect(")");
            return (e) => inner(e) !== MISSING;
          }
          case "event": return (e) => e;
          default:
            // a global function (size(x), timestamp(x), int(x)...) is for the server
            if (peek().kind === "op" && peek().text === "(") throw new SyntaxProblem("function " + token.text);
            return (e) => child(e, token.text);
        }
      }
      if (token.kind === "op") {
        if (accept("(")) { const inner = expression(); expect(")"); return inner; }
        if (accept("[")) {
          const items = [];
          if (!accept("]")) {
            do { items.push(expression()); } while (accept(","));
            expect("]");
          }
          return (e) => items.map((item) => item(e));
        }
      }
      throw new SyntaxProblem("expected a value at column " + token.column);
    }

    const root = expression();
    if (peek().kind !== "end") throw new SyntaxProblem("expected an operator or the end");
    return root;
  }

  return {
    // A predicate over CloudEvent objects as they come on the wire; null when the expression does
    // not compile. A blank expression passes everything.
    compile(source) {
      if (!source || !source.trim()) return () => true;
      let root;
      try { root = parse(source); } catch (x) { if (x instanceof SyntaxProblem) return null; throw x; }
      return (event) => {
        try { return root(event) === true; } catch (x) { if (x instanceof Unevaluable) return false; throw x; }
      };
    },
  };
})();
