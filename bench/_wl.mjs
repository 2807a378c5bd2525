var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// packages/core/src/pattern/errors.ts
var MalformedPatternError, CepRuntimeError;
var init_errors = __esm({
  "packages/core/src/pattern/errors.ts"() {
    "use strict";
    MalformedPatternError = class extends Error {
      name = "MalformedPatternError";
    };
    CepRuntimeError = class extends Error {
      name = "CepRuntimeError";
    };
  }
});

// packages/core/src/nfa/dewey-number.ts
function isCompatible(v, other) {
  const n = v.length;
  const m = other.length;
  if (n > m) {
    for (let i = 0; i < m; i++) if (other[i] !== v[i]) return false;
    return true;
  }
  if (n === m) {
    const last2 = n - 1;
    for (let i = 0; i < last2; i++) if (other[i] !== v[i]) return false;
    return v[last2] >= other[last2];
  }
  return false;
}
function increase(v, times = 1) {
  if (times === 0) return v;
  const copy = v.slice();
  copy[copy.length - 1] += times;
  return copy;
}
function addStage(v) {
  switch (v.length) {
    case 1:
      return [v[0], 0];
    case 2:
      return [v[0], v[1], 0];
    case 3:
      return [v[0], v[1], v[2], 0];
    default:
      return v.concat(0);
  }
}
var deweyStart;
var init_dewey_number = __esm({
  "packages/core/src/nfa/dewey-number.ts"() {
    "use strict";
    deweyStart = (run2 = 1) => [run2];
  }
});

// packages/core/src/nfa/shared-buffer/shared-buffer.ts
function compareEvents(a, b) {
  return a.timestamp !== b.timestamp ? a.timestamp < b.timestamp ? -1 : 1 : a.id - b.id;
}
function edgesOf(node) {
  const first = node.edge0Version === null ? [] : [{ target: node.edge0Target, version: node.edge0Version, refs: node.edge0Refs }];
  return node.moreEdges === null ? first : first.concat(node.moreEdges);
}
function addEdge(node, edge) {
  if (node.edge0Version === null) {
    node.edge0Target = edge.target;
    node.edge0Version = edge.version;
    node.edge0Refs = edge.refs;
  } else {
    (node.moreEdges ??= []).push(edge);
  }
}
function findNode(entry, page) {
  if (entry.node !== null && entry.node.page === page) return entry.node;
  const more = entry.moreNodes;
  if (more !== null) {
    for (let i = 0; i < more.length; i++) if (more[i].page === page) return more[i];
  }
  return void 0;
}
function attachNode(entry, node) {
  if (entry.node === null && entry.moreNodes === null) entry.node = node;
  else (entry.moreNodes ??= []).push(node);
}
function detachNode(entry, node) {
  if (entry.node === node) {
    entry.node = entry.moreNodes !== null ? entry.moreNodes.shift() : null;
  } else if (entry.moreNodes !== null) {
    entry.moreNodes.splice(entry.moreNodes.indexOf(node), 1);
  }
  if (entry.moreNodes !== null && entry.moreNodes.length === 0) entry.moreNodes = null;
}
var SharedBuffer, releaseNodes, releaseVersions;
var init_shared_buffer = __esm({
  "packages/core/src/nfa/shared-buffer/shared-buffer.ts"() {
    "use strict";
    init_dewey_number();
    SharedBuffer = class {
      // Events registered per timestamp (their ids), forgotten once time passes the timestamp (Flink's
      // eventsCount map). Kept as one inline entry (the latest timestamp, the common case of a key whose
      // events come in time order) plus a map for the others, so a key costs no Map until time goes back.
      countTs = -Infinity;
      countNext = 0;
      olderCounts = null;
      liveEvents = 0;
      liveNodes = 0;
      /** Stores an event with one reference held by the caller (released after processing it). */
      registerEvent(event, timestamp, id = this.nextId(timestamp)) {
        this.liveEvents++;
        return { event, timestamp, id, refs: 1, node: null, moreNodes: null };
      }
      nextId(timestamp) {
        if (timestamp === this.countTs) return this.countNext++;
        this.advanceTime(timestamp);
        if (this.countTs !== -Infinity) (this.olderCounts ??= /* @__PURE__ */ new Map()).set(this.countTs, this.countNext);
        const older = this.olderCounts;
        this.countNext = older?.get(timestamp) ?? 0;
        older?.delete(timestamp);
        this.countTs = timestamp;
        return this.countNext++;
      }
      /** Smallest timestamp with a live counter (Infinity: none). */
      get oldestCount() {
        let oldest = this.countTs === -Infinity ? Infinity : this.countTs;
        if (this.olderCounts !== null) {
          for (const ts of this.olderCounts.keys()) if (ts < oldest) oldest = ts;
        }
        return oldest;
      }
      /** The per-timestamp counters as [timestamp, count] pairs (for snapshots). */
      get counts() {
        const out = this.olderCounts === null ? [] : [...this.olderCounts];
        if (this.countTs !== -Infinity) out.push([this.countTs, this.countNext]);
        return out.sort((a, b) => a[0] - b[0]);
      }
      set counts(entries) {
        this.countTs = -Infinity;
        this.countNext = 0;
        this.olderCounts = null;
        for (const [ts, n] of entries) {
          if (this.countTs !== -Infinity) (this.olderCounts ??= /* @__PURE__ */ new Map()).set(this.countTs, this.countNext);
          this.countTs = ts;
          this.countNext = n;
        }
      }
      /** Links `entry` under `page` to `previous` with `version`; reuses the node if the event was already taken for `page`. */
      put(page, entry, previous, version) {
        if (previous !== null) this.lockNode(previous, version);
        let node = findNode(entry, page);
        if (node === void 0) {
          node = { entry, page, refs: 0, removed: false, edge0Target: previous, edge0Version: version, edge0Refs: 0, moreEdges: null };
          attachNode(entry, node);
          entry.refs++;
          this.liveNodes++;
        } else {
          addEdge(node, { target: previous, version, refs: 0 });
        }
        return node;
      }
      lockNode(node, version) {
        if (node === null || node.removed) return;
        node.refs++;
        if (node.edge0Version !== null && isCompatible(version, node.edge0Version)) node.edge0Refs++;
        const more = node.moreEdges;
        if (more !== null) {
          for (let i = 0; i < more.length; i++) if (isCompatible(version, more[i].version)) more[i].refs++;
        }
      }
      /** Drops one reference to `node` (and, transitively, to the edges and nodes only it kept alive). */
      releaseNode(node, version) {
        const nodes = releaseNodes;
        const versions = releaseVersions;
        const base = nodes.length;
        nodes.push(node);
        versions.push(version);
        while (nodes.length > base) {
          const cur = nodes.pop();
          if (cur === null || cur.removed) {
            nodes.length = base;
            versions.length = base;
            break;
          }
          const v = versions.pop();
          let firstGone = false;
          if (cur.edge0Version !== null && isCompatible(v, cur.edge0Version) && --cur.edge0Refs <= 0) {
            if (cur.edge0Target !== null) {
              nodes.push(cur.edge0Target);
              versions.push(cur.edge0Version);
            }
            firstGone = true;
          }
          const more = cur.moreEdges;
          if (more !== null) {
            let w = 0;
            for (let i = 0; i < more.length; i++) {
              const edge = more[i];
              if (isCompatible(v, edge.version) && --edge.refs <= 0) {
                if (edge.target !== null) {
                  nodes.push(edge.target);
                  versions.push(edge.version);
                }
                continue;
              }
              more[w++] = edge;
            }
            if (w !== more.length) more.length = w;
          }
          if (firstGone) {
            const next = more !== null && more.length > 0 ? more.shift() : void 0;
            cur.edge0Target = next ? next.target : null;
            cur.edge0Version = next ? next.version : null;
            cur.edge0Refs = next ? next.refs : 0;
          }
          if (more !== null && more.length === 0) cur.moreEdges = null;
          if (--cur.refs <= 0) {
            cur.removed = true;
            this.liveNodes--;
            detachNode(cur.entry, cur);
            this.releaseEvent(cur.entry);
          }
        }
      }
      releaseEvent(entry) {
        if (entry.refs > 0 && --entry.refs === 0) this.liveEvents--;
      }
      /**
       * The event sequence of the run that ends at `node` with `version`: from each node, the one edge
       * compatible with the version leads back towards the run's first event. (Flink's extractPatterns
       * collects every compatible path, and asserts that a run has exactly one; following the single
       * compatible edge finds that path without visiting the others.)
       */
      extractPath(node, version) {
        if (node === null || node.removed) return void 0;
        const path = [];
        let cur = node;
        let v = version;
        while (cur !== null) {
          path.push(cur);
          let target;
          let nextVersion;
          const more = cur.moreEdges;
          if (more !== null) {
            for (let i = more.length - 1; i >= 0; i--) {
              if (isCompatible(v, more[i].version)) {
                target = more[i].target;
                nextVersion = more[i].version;
                break;
              }
            }
          }
          if (nextVersion === void 0 && cur.edge0Version !== null && isCompatible(v, cur.edge0Version)) {
            target = cur.edge0Target;
            nextVersion = cur.edge0Version;
          }
          if (nextVersion === void 0) return void 0;
          cur = target;
          v = nextVersion;
        }
        const match = /* @__PURE__ */ new Map();
        for (let i = path.length - 1; i >= 0; i--) {
          const n = path[i];
          const list = match.get(n.page);
          if (list === void 0) match.set(n.page, [n.entry]);
          else list.push(n.entry);
        }
        return match;
      }
      /** Replaces buffer entries by their events. */
      materialize(match) {
        const out = /* @__PURE__ */ new Map();
        if (match === void 0) return out;
        for (const [page, entries] of match) out.set(page, entries.map((e) => e.event));
        return out;
      }
      /** No event with a timestamp below `timestamp` will come: forget their id counters. */
      advanceTime(timestamp) {
        if (this.countTs < timestamp) {
          this.countTs = -Infinity;
          this.countNext = 0;
        }
        const older = this.olderCounts;
        if (older !== null) {
          for (const ts of older.keys()) if (ts < timestamp) older.delete(ts);
          if (older.size === 0) this.olderCounts = null;
        }
      }
      isEmpty() {
        return this.liveEvents === 0 && this.liveNodes === 0;
      }
    };
    releaseNodes = [];
    releaseVersions = [];
  }
});

// packages/core/src/nfa/after-match/skip-strategy.ts
function requireName(name) {
  if (typeof name !== "string" || name === "") throw new MalformedPatternError("The skip strategy needs a pattern name");
  return name;
}
function describe(match) {
  const parts = [...match].map(([k, v]) => `${k}=[${v.map((e) => `${e.timestamp}:${e.id}`).join(", ")}]`);
  return `{${parts.join(", ")}}`;
}
var AfterMatchSkipStrategy, NO_SKIP;
var init_skip_strategy = __esm({
  "packages/core/src/nfa/after-match/skip-strategy.ts"() {
    "use strict";
    init_errors();
    init_shared_buffer();
    AfterMatchSkipStrategy = class _AfterMatchSkipStrategy {
      constructor(kind, patternName = void 0, throwOnMiss = false) {
        this.kind = kind;
        this.patternName = patternName;
        this.throwOnMiss = throwOnMiss;
      }
      kind;
      patternName;
      throwOnMiss;
      /** Every possible match is emitted. */
      static noSkip() {
        return NO_SKIP;
      }
      /** Discards partial matches that started with the same event as the emitted match. */
      static skipToNext() {
        return new _AfterMatchSkipStrategy("SKIP_TO_NEXT");
      }
      /** Discards every partial match that contains an event of the emitted match. */
      static skipPastLastEvent() {
        return new _AfterMatchSkipStrategy("SKIP_PAST_LAST_EVENT");
      }
      /** Discards partial matches that started before the first event taken for `name`. */
      static skipToFirst(name) {
        return new _AfterMatchSkipStrategy("SKIP_TO_FIRST", requireName(name));
      }
      /** Discards partial matches that started before the last event taken for `name`. */
      static skipToLast(name) {
        return new _AfterMatchSkipStrategy("SKIP_TO_LAST", requireName(name));
      }
      /** For skipToFirst/skipToLast: fail at run time when the match has no event for the name. */
      throwExceptionOnMiss() {
        if (this.patternName === void 0) {
          throw new MalformedPatternError(`throwExceptionOnMiss() applies only to skipToFirst/skipToLast, not ${this.kind}`);
        }
        return new _AfterMatchSkipStrategy(this.kind, this.patternName, true);
      }
      /** False for noSkip: then matches are emitted as soon as they complete. */
      isSkipStrategy() {
        return this.kind !== "NO_SKIP";
      }
      /** The event at or before which partial matches are pruned, or undefined for none. */
      pruningEvent(match) {
        switch (this.kind) {
          case "NO_SKIP":
            return void 0;
          case "SKIP_PAST_LAST_EVENT": {
            let max;
            for (const list of match.values()) for (const e of list) if (!max || compareEvents(e, max) > 0) max = e;
            return max;
          }
          case "SKIP_TO_NEXT": {
            let min;
            for (const list of match.values()) if (!min || compareEvents(list[0], min) < 0) min = list[0];
            return min;
          }
          default:
            return this.skipToElement(match);
        }
      }
      /** Whether a (partial) match starting at `start` is discarded by `pruning`. */
      shouldPrune(start, pruning) {
        const c = compareEvents(start, pruning);
        return this.kind === "SKIP_TO_FIRST" || this.kind === "SKIP_TO_LAST" ? c < 0 : c <= 0;
      }
      skipToElement(match) {
        const name = this.patternName;
        const events = match.get(name);
        let pruning;
        if (!events || events.length === 0) {
          if (this.throwOnMiss) {
            throw new CepRuntimeError(`Could not skip to ${name}. No such element in the found match ${describe(match)}`);
          }
        } else {
          pruning = this.kind === "SKIP_TO_FIRST" ? events[0] : events[events.length - 1];
        }
        if (this.throwOnMiss && pruning) {
          let start;
          for (const list of match.values()) for (const e of list) if (!start || compareEvents(e, start) < 0) start = e;
          if (start === pruning) throw new CepRuntimeError("Could not skip to first element of a match.");
        }
        return pruning;
      }
      toString() {
        return this.patternName === void 0 ? this.kind : `${this.kind}(${this.patternName})`;
      }
    };
    NO_SKIP = new AfterMatchSkipStrategy("NO_SKIP");
  }
});

// packages/core/src/pattern/conditions.ts
function and(a, b) {
  if (a === TRUE) return b;
  if (b === TRUE) return a;
  return (e, ctx) => a(e, ctx) && b(e, ctx);
}
function or(a, b) {
  return (e, ctx) => a(e, ctx) || b(e, ctx);
}
function not(a) {
  const c = (e, ctx) => !a(e, ctx);
  negations.set(c, a);
  return c;
}
function negated(c) {
  return negations.get(c);
}
var TRUE, negations;
var init_conditions = __esm({
  "packages/core/src/pattern/conditions.ts"() {
    "use strict";
    TRUE = () => true;
    negations = /* @__PURE__ */ new WeakMap();
  }
});

// packages/core/src/pattern/quantifier.ts
function check(ok, message) {
  if (!ok) throw new MalformedPatternError(message);
}
var Quantifier, Times;
var init_quantifier = __esm({
  "packages/core/src/pattern/quantifier.ts"() {
    "use strict";
    init_errors();
    Quantifier = class _Quantifier {
      constructor(consumingStrategy, property) {
        this.consumingStrategy = consumingStrategy;
        this.properties = /* @__PURE__ */ new Set([property]);
      }
      consumingStrategy;
      properties;
      /** Contiguity between repetitions of a looping/times step. */
      innerConsumingStrategy = "SKIP_TILL_NEXT";
      static one(c) {
        return new _Quantifier(c, "SINGLE");
      }
      static looping(c) {
        return new _Quantifier(c, "LOOPING");
      }
      static times(c) {
        return new _Quantifier(c, "TIMES");
      }
      has(p) {
        return this.properties.has(p);
      }
      combinations() {
        check(!this.has("SINGLE"), `Combinations not applicable to ${this}!`);
        check(this.innerConsumingStrategy !== "STRICT", "You can apply either combinations or consecutive, not both!");
        check(this.innerConsumingStrategy !== "SKIP_TILL_ANY", "Combinations already applied!");
        this.innerConsumingStrategy = "SKIP_TILL_ANY";
      }
      consecutive() {
        check(this.has("LOOPING") || this.has("TIMES"), `Consecutive not applicable to ${this}!`);
        check(this.innerConsumingStrategy !== "SKIP_TILL_ANY", "You can apply either combinations or consecutive, not both!");
        check(this.innerConsumingStrategy !== "STRICT", "Consecutive already applied!");
        this.innerConsumingStrategy = "STRICT";
      }
      optional() {
        check(!this.has("OPTIONAL"), "Optional already applied!");
        check(
          this.consumingStrategy !== "NOT_NEXT" && this.consumingStrategy !== "NOT_FOLLOW",
          "NOT pattern cannot be optional"
        );
        this.properties.add("OPTIONAL");
      }
      greedy() {
        check(this.innerConsumingStrategy !== "SKIP_TILL_ANY", "Option not applicable to FollowedByAny pattern");
        check(!this.has("SINGLE"), "Option not applicable to singleton quantifier");
        this.properties.add("GREEDY");
      }
      toString() {
        return `Quantifier{properties=[${[...this.properties].join(", ")}], consumingStrategy=${this.consumingStrategy}, innerConsumingStrategy=${this.innerConsumingStrategy}}`;
      }
    };
    Times = class {
      constructor(from, to, windowMs) {
        this.from = from;
        this.to = to;
        this.windowMs = windowMs;
        if (!(from > 0)) throw new MalformedPatternError("The from should be a positive number greater than 0.");
        if (!(to >= from)) throw new MalformedPatternError(`The to should be a number greater than or equal to from: ${from}.`);
      }
      from;
      to;
      windowMs;
    };
  }
});

// packages/core/src/pattern/pattern.ts
function checkName(name) {
  if (typeof name !== "string" || name.length === 0) throw new MalformedPatternError("A pattern name must be a non-empty string");
  return name;
}
function checkCondition(c) {
  if (typeof c !== "function") throw new MalformedPatternError("The condition cannot be null: pass a function (event, ctx) => boolean.");
}
function checkCount(n, allowZero = false) {
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new MalformedPatternError(`Expected a ${allowZero ? "non-negative" : "positive"} integer count, got ${n}`);
  }
  return n;
}
function checkDuration(ms, what) {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new MalformedPatternError(`${what}: expected a duration in ms, got ${ms}`);
  return ms;
}
function optionalDuration(ms) {
  return ms === void 0 || ms === null ? void 0 : checkDuration(ms, "window");
}
var Pattern, GroupPattern;
var init_pattern = __esm({
  "packages/core/src/pattern/pattern.ts"() {
    "use strict";
    init_skip_strategy();
    init_conditions();
    init_errors();
    init_quantifier();
    Pattern = class _Pattern {
      constructor(name, previous, consumingStrategy, skipStrategy) {
        this.name = name;
        this.previous = previous;
        this.skipStrategy = skipStrategy;
        this._quantifier = Quantifier.one(consumingStrategy);
      }
      name;
      previous;
      skipStrategy;
      /** @internal */
      _condition;
      /** @internal */
      _until;
      /** @internal */
      _quantifier;
      /** @internal */
      _times;
      /** @internal */
      _windows = {};
      static begin(nameOrGroup, skip = AfterMatchSkipStrategy.noSkip()) {
        if (!(skip instanceof AfterMatchSkipStrategy)) throw new MalformedPatternError("begin: the second argument must be an AfterMatchSkipStrategy");
        if (nameOrGroup instanceof _Pattern) return new GroupPattern(void 0, nameOrGroup, "STRICT", skip);
        return new _Pattern(checkName(nameOrGroup), void 0, "STRICT", skip);
      }
      get quantifier() {
        return this._quantifier;
      }
      /** Repetition bounds set by times/timesOrMore/oneOrMore. */
      get repetitions() {
        return this._times;
      }
      /** The step's condition (always-true when none was given). */
      get condition() {
        return this._condition ?? TRUE;
      }
      get untilCondition() {
        return this._until;
      }
      windowMs(type = "FIRST_AND_LAST") {
        return this._windows[type];
      }
      /** Adds a condition, AND-ed with the existing one. */
      where(condition) {
        checkCondition(condition);
        this._condition = this._condition === void 0 ? condition : and(this._condition, condition);
        return this;
      }
      /** Adds a condition, OR-ed with the existing one. */
      or(condition) {
        checkCondition(condition);
        this._condition = this._condition === void 0 ? condition : or(this._condition, condition);
        return this;
      }
      /** Stops a looping step when an event satisfies the condition. */
      until(condition) {
        checkCondition(condition);
        if (this._until !== void 0) throw new MalformedPatternError("Only one until condition can be applied.");
        if (!this._quantifier.has("LOOPING")) throw new MalformedPatternError("The until condition is only applicable to looping states.");
        this._until = condition;
        return this;
      }
      /** Maximum time between the first and last events (or between consecutive events) of a match. */
      within(ms, type = "FIRST_AND_LAST") {
        checkDuration(ms, "within");
        if (type !== "FIRST_AND_LAST" && type !== "PREVIOUS_AND_CURRENT") {
          throw new MalformedPatternError(`within: unknown window type '${String(type)}' (FIRST_AND_LAST or PREVIOUS_AND_CURRENT)`);
        }
        this._windows[type] = ms;
        return this;
      }
      next(step) {
        return this.append(step, "STRICT");
      }
      followedBy(step) {
        return this.append(step, "SKIP_TILL_NEXT");
      }
      followedByAny(step) {
        return this.append(step, "SKIP_TILL_ANY");
      }
      /** The very next event must not match this step. */
      notNext(name) {
        this.checkNoOptionalBeforeNot();
        return new _Pattern(checkName(name), this, "NOT_NEXT", this.skipStrategy);
      }
      /** No event matching this step may occur between the surrounding steps. */
      notFollowedBy(name) {
        this.checkNoOptionalBeforeNot();
        return new _Pattern(checkName(name), this, "NOT_FOLLOW", this.skipStrategy);
      }
      optional() {
        if (this.previous?._quantifier.has("GREEDY")) throw new MalformedPatternError("Optional pattern cannot be preceded by greedy pattern");
        this._quantifier.optional();
        return this;
      }
      /** One or more; `windowMs` bounds the time between consecutive events of the loop. */
      oneOrMore(windowMs) {
        return this.timesOrMore(1, windowMs);
      }
      timesOrMore(times, windowMs) {
        this.checkQuantifiable();
        this._quantifier = Quantifier.looping(this._quantifier.consumingStrategy);
        this._times = new Times(checkCount(times), checkCount(times), optionalDuration(windowMs));
        return this;
      }
      times(a, b, c) {
        this.checkQuantifiable();
        if (b === void 0) {
          if (!(Number.isInteger(a) && a > 0)) throw new MalformedPatternError("You should give a positive number greater than 0.");
          b = a;
        }
        let from = checkCount(a, true);
        this._quantifier = Quantifier.times(this._quantifier.consumingStrategy);
        if (from === 0) {
          this._quantifier.optional();
          from = 1;
        }
        this._times = new Times(from, checkCount(b, true), optionalDuration(c));
        return this;
      }
      /** Greedy looping: take as many events as possible before proceeding. */
      greedy() {
        this.checkNotNot();
        if (this instanceof GroupPattern) throw new MalformedPatternError("Option not applicable to group pattern");
        this._quantifier.greedy();
        return this;
      }
      /** Strict contiguity between the repetitions of a looping/times step. */
      consecutive() {
        this._quantifier.consecutive();
        return this;
      }
      /** Non-deterministic relaxed contiguity between the repetitions of a looping/times step. */
      allowCombinations() {
        this._quantifier.combinations();
        return this;
      }
      toString() {
        return `Pattern{name='${this.name}', quantifier=${this._quantifier}}`;
      }
      append(step, strategy) {
        if (step instanceof _Pattern) return new GroupPattern(this, step, strategy, this.skipStrategy);
        return new _Pattern(checkName(step), this, strategy, this.skipStrategy);
      }
      checkNoOptionalBeforeNot() {
        if (this._quantifier.has("OPTIONAL")) {
          throw new MalformedPatternError(
            "Specifying a pattern with an optional path to NOT condition is not supported yet. You can simulate such pattern with two independent patterns, one with and the other without the optional part."
          );
        }
      }
      checkNotNot() {
        const c = this._quantifier.consumingStrategy;
        if (c === "NOT_FOLLOW" || c === "NOT_NEXT") throw new MalformedPatternError("Option not applicable to NOT pattern");
      }
      checkQuantifiable() {
        this.checkNotNot();
        if (!this._quantifier.has("SINGLE")) {
          throw new MalformedPatternError(`Already applied quantifier to this Pattern. Current quantifier is: ${this._quantifier}`);
        }
      }
    };
    GroupPattern = class extends Pattern {
      /** @internal */
      constructor(previous, rawPattern, strategy, skip) {
        super("GroupPattern", previous, strategy, skip);
        this.rawPattern = rawPattern;
      }
      rawPattern;
      where(_condition) {
        throw new MalformedPatternError("GroupPattern does not support where clause.");
      }
      or(_condition) {
        throw new MalformedPatternError("GroupPattern does not support or clause.");
      }
    };
  }
});

// packages/core/src/nfa/state.ts
var State;
var init_state = __esm({
  "packages/core/src/nfa/state.ts"() {
    "use strict";
    State = class {
      constructor(name, type, patternName) {
        this.name = name;
        this.type = type;
        this.patternName = patternName;
      }
      name;
      type;
      patternName;
      transitions = [];
      /** Window between the previous and current event, for states of a PREVIOUS_AND_CURRENT or loop window. */
      windowMs = void 0;
      /** Position in the compiled NFA's state list. */
      index = -1;
      get isStart() {
        return this.type === "Start";
      }
      get isFinal() {
        return this.type === "Final";
      }
      get isStop() {
        return this.type === "Stop";
      }
      get isPending() {
        return this.type === "Pending";
      }
      makeStart() {
        this.type = "Start";
      }
      addTransition(action, target, condition) {
        this.transitions.push({ action, source: this, target, condition });
      }
      addTake(target, condition) {
        this.addTransition("TAKE", target, condition);
      }
      addSelfTake(condition) {
        this.addTransition("TAKE", this, condition);
      }
      addIgnore(target, condition) {
        this.addTransition("IGNORE", target, condition);
      }
      addSelfIgnore(condition) {
        this.addTransition("IGNORE", this, condition);
      }
      addProceed(target, condition) {
        this.addTransition("PROCEED", target, condition);
      }
      toString() {
        const ts = this.transitions.map((t) => `${t.action} -> ${t.target.name}`).join(", ");
        return `${this.type} ${this.name} [${ts}]`;
      }
    };
  }
});

// packages/core/src/nfa/compiler/state-names.ts
function originalName(internal) {
  const i = internal.indexOf(STATE_NAME_DELIM);
  return i < 0 ? internal : internal.slice(0, i);
}
var STATE_NAME_DELIM, StateNames;
var init_state_names = __esm({
  "packages/core/src/nfa/compiler/state-names.ts"() {
    "use strict";
    init_errors();
    STATE_NAME_DELIM = ":";
    StateNames = class {
      used = /* @__PURE__ */ new Set();
      checkUnique(name) {
        if (this.used.has(name)) throw new MalformedPatternError(`Duplicate pattern name: ${name}. Names must be unique.`);
        this.used.add(name);
      }
      unique(base) {
        let candidate = base;
        for (let counter = 0; this.used.has(candidate); counter++) candidate = base + STATE_NAME_DELIM + counter;
        this.used.add(candidate);
        return candidate;
      }
      clear() {
        this.used.clear();
      }
    };
  }
});

// packages/core/src/nfa/compiler/nfa-compiler.ts
function compilePattern(pattern) {
  return new NFACompiler(pattern).compile();
}
function isOptional(p) {
  return p.quantifier.has("OPTIONAL");
}
function ignoreFor(strategy, p) {
  switch (strategy) {
    case "SKIP_TILL_NEXT":
      return not(p.condition);
    case "SKIP_TILL_ANY":
      return TRUE;
    default:
      return null;
  }
}
function extendWithUntil(condition, until, isTake) {
  if (until !== void 0 && condition !== null) return and(not(until), condition);
  if (until !== void 0 && isTake) return not(until);
  return condition;
}
function updateWithGreedyCondition(state, take) {
  for (const t of state.transitions) t.condition = and(t.condition ?? TRUE, not(take));
}
var ENDING_STATE_NAME, NFACompiler;
var init_nfa_compiler = __esm({
  "packages/core/src/nfa/compiler/nfa-compiler.ts"() {
    "use strict";
    init_conditions();
    init_errors();
    init_pattern();
    init_state();
    init_state_names();
    ENDING_STATE_NAME = "$endState$";
    NFACompiler = class {
      constructor(last2) {
        this.last = last2;
        this.current = last2;
      }
      last;
      names = new StateNames();
      stopStates = /* @__PURE__ */ new Map();
      states = [];
      windowTimes = /* @__PURE__ */ new Map();
      windowTime;
      currentGroup;
      firstOfLoop = /* @__PURE__ */ new Map();
      current;
      following;
      /** Greedy loops with until: copies of sink states, keyed by original state name. */
      originalStates = /* @__PURE__ */ new Map();
      compile() {
        const patternNames = this.checkNameUniqueness();
        this.checkSkipStrategy();
        let sink = this.createEndingState();
        sink = this.createMiddleStates(sink);
        const start = this.convertPattern(sink);
        start.makeStart();
        this.checkWindowTimes();
        const last2 = this.last;
        if (last2.quantifier.consumingStrategy === "NOT_FOLLOW" && !((this.windowTimes.get(last2.name) ?? 0) > 0) && this.windowMs() === 0) {
          throw new MalformedPatternError("NotFollowedBy is not supported without windowTime as a last part of a Pattern!");
        }
        this.states.forEach((s, i) => {
          s.windowMs = this.windowTimes.get(s.name);
          s.index = i;
        });
        return { states: this.states, startState: start, windowMs: this.windowMs(), skipStrategy: last2.skipStrategy, patternNames };
      }
      windowMs() {
        return this.windowTime ?? 0;
      }
      checkWindowTimes() {
        const w = this.windowTime;
        if (w === void 0) return;
        for (const t of this.windowTimes.values()) {
          if (t > w) {
            throw new MalformedPatternError(
              "The window length between the previous and current event cannot be larger than the window length between the first and last event for a Pattern."
            );
          }
        }
      }
      checkSkipStrategy() {
        const name = this.last.skipStrategy.patternName;
        if (name === void 0) return;
        let p = this.last;
        while (p.previous !== void 0 && p.name !== name) p = p.previous;
        if (p.name !== name) {
          throw new MalformedPatternError(`The pattern name specified in AfterMatchSkipStrategy (${name}) can not be found in the given Pattern`);
        }
      }
      checkNameUniqueness() {
        this.names.checkUnique(ENDING_STATE_NAME);
        const order = [];
        const visit = (p) => {
          for (; p !== void 0; p = p.previous) {
            if (p instanceof GroupPattern) visit(p.rawPattern);
            else {
              this.names.checkUnique(p.name);
              order.push(p.name);
            }
          }
        };
        visit(this.last);
        this.names.clear();
        return order.reverse();
      }
      /** NOT conditions that apply to the current step: NOT steps reachable backwards through optional steps. */
      currentNotConditions() {
        const result2 = [];
        let p = this.current;
        while (p.previous !== void 0 && (p.previous.quantifier.has("OPTIONAL") || p.previous.quantifier.consumingStrategy === "NOT_FOLLOW")) {
          p = p.previous;
          if (p.quantifier.consumingStrategy === "NOT_FOLLOW") result2.push({ condition: this.takeCondition(p), name: p.name });
        }
        return result2;
      }
      createEndingState() {
        const end = this.createNamedState(ENDING_STATE_NAME, "Final");
        this.windowTime = this.current.windowMs("FIRST_AND_LAST");
        return end;
      }
      createMiddleStates(sinkState) {
        let lastSink = sinkState;
        while (this.current.previous !== void 0) {
          const strategy = this.current.quantifier.consumingStrategy;
          if (strategy === "NOT_FOLLOW") {
            if ((this.current.windowMs("PREVIOUS_AND_CURRENT") !== void 0 || this.windowMs() > 0) && lastSink.isFinal) {
              const notFollow = this.createState("Pending", true);
              const notCondition = this.takeCondition(this.current);
              const stop = this.createStopState(notCondition, this.current.name);
              notFollow.addProceed(stop, notCondition);
              notFollow.addSelfIgnore(not(notCondition));
              lastSink = notFollow;
            }
          } else if (strategy === "NOT_NEXT") {
            const notNext = this.createState("Normal", true);
            const notCondition = this.takeCondition(this.current);
            const stop = this.createStopState(notCondition, this.current.name);
            if (lastSink.isFinal) notNext.addIgnore(lastSink, not(notCondition));
            else notNext.addProceed(lastSink, not(notCondition));
            notNext.addProceed(stop, notCondition);
            lastSink = notNext;
          } else {
            lastSink = this.convertPattern(lastSink);
          }
          this.following = this.current;
          this.current = this.current.previous;
          const w = this.current.windowMs("FIRST_AND_LAST");
          if (w !== void 0 && w < (this.windowTime ?? Infinity)) this.windowTime = w;
        }
        return lastSink;
      }
      convertPattern(sinkState) {
        let lastSink;
        const q = this.current.quantifier;
        if (q.has("LOOPING")) {
          this.setGroupFirstOfLoop(false);
          const sink = this.copyWithoutTransitiveNots(sinkState);
          const looping = this.createLooping(sink);
          this.setGroupFirstOfLoop(true);
          lastSink = this.createTimesState(looping, sinkState, this.current.repetitions);
        } else if (q.has("TIMES")) {
          lastSink = this.createTimesState(sinkState, sinkState, this.current.repetitions);
        } else {
          lastSink = this.createSingletonState(sinkState, sinkState, this.takeCondition(this.current), this.ignoreCondition(this.current), isOptional(this.current));
        }
        this.addStopStates(lastSink);
        return lastSink;
      }
      /** A state of the current step; TAKE states record the step's previous-and-current window. */
      createState(type, isTake) {
        const state = this.createNamedState(this.current.name, type);
        if (isTake) {
          const times = this.current.repetitions;
          if (times === void 0) {
            const w = this.current.windowMs("PREVIOUS_AND_CURRENT");
            if (w !== void 0) this.windowTimes.set(state.name, w);
          } else if (state.name.includes(STATE_NAME_DELIM) && times.windowMs !== void 0) {
            this.windowTimes.set(state.name, times.windowMs);
          }
        }
        return state;
      }
      createNamedState(name, type) {
        const state = new State(this.names.unique(name), type, originalName(name));
        this.states.push(state);
        return state;
      }
      createStopState(notCondition, name) {
        let stop = this.stopStates.get(name);
        if (stop === void 0) {
          stop = this.createNamedState(name, "Stop");
          stop.addSelfTake(notCondition);
          this.stopStates.set(name, stop);
        }
        return stop;
      }
      /**
       * Once an optional step takes an event, NOT steps before it no longer apply: copy the sink
       * without the PROCEED edges into their stop states (e.g. a, !b, c?, d accepts "a c b d", not "a b d").
       */
      copyWithoutTransitiveNots(sinkState) {
        const nots = this.currentNotConditions();
        if (nots.length === 0 || !isOptional(this.current)) return sinkState;
        const copy = this.createNamedState(sinkState.name, sinkState.type);
        for (const t of sinkState.transitions) {
          if (t.action === "PROCEED") {
            let target = t.target;
            let remove = false;
            if (target.isStop) {
              for (const n of nots) if (target.name === n.name) remove = true;
            } else {
              target = this.copyWithoutTransitiveNots(t.target);
            }
            if (!remove) copy.addTransition("PROCEED", target, t.condition);
          } else {
            copy.addTransition(t.action, t.target === t.source ? copy : t.target, t.condition);
          }
        }
        return copy;
      }
      copy(state) {
        const copy = this.createNamedState(originalName(state.name), state.type);
        for (const t of state.transitions) copy.addTransition(t.action, t.target === t.source ? copy : t.target, t.condition);
        return copy;
      }
      addStopStates(state) {
        for (const n of this.currentNotConditions()) state.addProceed(this.createStopState(n.condition, n.name), n.condition);
      }
      addStopStateToLooping(state) {
        const f = this.following;
        if (f !== void 0 && f.quantifier.consumingStrategy === "NOT_FOLLOW") {
          const notCondition = this.takeCondition(f);
          state.addProceed(this.createStopState(notCondition, f.name), notCondition);
        }
      }
      /** A chain of states for `times(from, to)`: optional states beyond `from`, mandatory ones before. */
      createTimesState(sinkState, proceedState, times) {
        let lastSink = sinkState;
        this.setGroupFirstOfLoop(false);
        const until = this.current.untilCondition;
        const innerIgnore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
        const take = extendWithUntil(this.takeCondition(this.current), until, true);
        if (this.current.quantifier.has("GREEDY") && times.from !== times.to) {
          if (until !== void 0) this.originalStates.set(sinkState.name, this.copy(sinkState));
          updateWithGreedyCondition(sinkState, take);
        }
        for (let i = times.from; i < times.to; i++) {
          lastSink = this.createSingletonState(lastSink, proceedState, take, innerIgnore, true);
          this.addStopStateToLooping(lastSink);
        }
        for (let i = 0; i < times.from - 1; i++) {
          lastSink = this.createSingletonState(lastSink, null, take, innerIgnore, false);
          this.addStopStateToLooping(lastSink);
        }
        this.setGroupFirstOfLoop(true);
        return this.createSingletonState(lastSink, proceedState, take, this.ignoreCondition(this.current), isOptional(this.current));
      }
      setGroupFirstOfLoop(first) {
        if (this.current instanceof GroupPattern) this.firstOfLoop.set(this.current, first);
      }
      isGroupFirstOfLoop() {
        return this.currentGroup === void 0 ? true : this.firstOfLoop.get(this.currentGroup) ?? true;
      }
      headOfGroup(p) {
        return this.currentGroup !== void 0 && p.previous === void 0;
      }
      isHeadOfOptionalGroup(p) {
        return this.headOfGroup(p) && this.isGroupFirstOfLoop() && this.currentGroup.quantifier.has("OPTIONAL");
      }
      /** One step that takes one event; optional steps also PROCEED to `proceedState` without taking. */
      createSingletonState(sinkState, proceedState, take, ignore, optional) {
        if (this.current instanceof GroupPattern) return this.createGroupPatternState(this.current, sinkState, proceedState, optional);
        const singleton = this.createState("Normal", true);
        const sink = this.copyWithoutTransitiveNots(sinkState);
        singleton.addTake(sink, take);
        const proceed = this.trueCondition();
        if (optional) {
          if (this.current.quantifier.has("GREEDY")) {
            const until = this.current.untilCondition;
            if (until !== void 0) singleton.addProceed(this.originalStates.get(proceedState.name), and(proceed, until));
            singleton.addProceed(proceedState, until !== void 0 ? and(proceed, not(until)) : proceed);
          } else {
            singleton.addProceed(proceedState, proceed);
          }
        }
        if (ignore !== null) {
          let ignoreState;
          if (optional || this.isHeadOfOptionalGroup(this.current)) {
            ignoreState = this.createState("Normal", false);
            ignoreState.addTake(sink, take);
            ignoreState.addSelfIgnore(ignore);
            this.addStopStates(ignoreState);
          } else {
            ignoreState = singleton;
          }
          singleton.addIgnore(ignoreState, ignore);
        }
        return singleton;
      }
      withGroup(group, build) {
        const saved = [this.current, this.following, this.currentGroup];
        this.currentGroup = group;
        this.current = group.rawPattern;
        try {
          return build();
        } finally {
          [this.current, this.following, this.currentGroup] = saved;
        }
      }
      createGroupPatternState(group, sinkState, proceedState, optional) {
        const proceed = this.trueCondition();
        return this.withGroup(group, () => {
          const first = this.convertPattern(this.createMiddleStates(sinkState));
          if (optional) first.addProceed(proceedState, proceed);
          return first;
        });
      }
      createLoopingGroupPatternState(group, sinkState) {
        const proceed = this.trueCondition();
        const dummy = this.createState("Normal", true);
        return this.withGroup(group, () => {
          const first = this.convertPattern(this.createMiddleStates(dummy));
          first.addProceed(sinkState, proceed);
          dummy.addProceed(first, proceed);
          return first;
        });
      }
      /** A state that TAKEs repeatedly and PROCEEDs to `sinkState`. */
      createLooping(sinkState) {
        if (this.current instanceof GroupPattern) return this.createLoopingGroupPatternState(this.current, sinkState);
        const until = this.current.untilCondition;
        const ignore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
        const take = extendWithUntil(this.takeCondition(this.current), until, true);
        const proceed = this.trueCondition();
        const looping = this.createState("Normal", true);
        if (this.current.quantifier.has("GREEDY")) {
          if (until !== void 0) {
            const copy = this.copy(sinkState);
            looping.addProceed(copy, and(proceed, until));
            this.originalStates.set(sinkState.name, copy);
          }
          looping.addProceed(sinkState, until !== void 0 ? and(proceed, not(until)) : proceed);
          updateWithGreedyCondition(sinkState, this.takeCondition(this.current));
        } else {
          looping.addProceed(sinkState, proceed);
        }
        looping.addSelfTake(take);
        this.addStopStateToLooping(looping);
        if (ignore !== null) {
          const ignoreState = this.createState("Normal", false);
          ignoreState.addTake(looping, take);
          ignoreState.addSelfIgnore(ignore);
          looping.addIgnore(ignoreState, ignore);
          this.addStopStateToLooping(ignoreState);
        }
        return looping;
      }
      groupUntil() {
        return this.currentGroup?.untilCondition;
      }
      innerIgnoreCondition(p) {
        const strategy = this.headOfGroup(p) ? this.currentGroup.quantifier.innerConsumingStrategy : p.quantifier.innerConsumingStrategy;
        return extendWithUntil(ignoreFor(strategy, p), this.groupUntil(), false);
      }
      ignoreCondition(p) {
        let strategy = p.quantifier.consumingStrategy;
        if (this.headOfGroup(p)) {
          const gq = this.currentGroup.quantifier;
          strategy = this.isGroupFirstOfLoop() ? gq.consumingStrategy : gq.innerConsumingStrategy;
        }
        return extendWithUntil(ignoreFor(strategy, p), this.groupUntil(), false);
      }
      takeCondition(p) {
        return extendWithUntil(p.condition, this.groupUntil(), true);
      }
      trueCondition() {
        return extendWithUntil(TRUE, this.groupUntil(), true);
      }
    };
  }
});

// packages/core/src/nfa/chain/chain-state.ts
var ChainState;
var init_chain_state = __esm({
  "packages/core/src/nfa/chain/chain-state.ts"() {
    "use strict";
    ChainState = class {
      /** Runs in progress, ordered by start event (Flink's partial-match order). */
      runs = [];
      /** Completed runs held back by a skip strategy until no earlier run can finish first. */
      completed = null;
      /** Bit min(i, 30) set: some run waits in stage i. */
      occupied = 0;
      deadline = Infinity;
      changed = false;
      key = void 0;
      seq = 0;
      scheduled = Infinity;
      isIdle() {
        return this.runs.length === 0 && this.completed === null;
      }
    };
  }
});

// packages/core/src/nfa/chain/chain-snapshot.ts
function snapshotChainState(s, length, withMarks) {
  const size = 2 + length * (withMarks ? 3 : 1);
  const runs2 = (records) => {
    const out = [];
    for (let at = 0; at < records.length; at += size) {
      const stage = records[at];
      const marks = withMarks ? records.slice(at + 2 + length, at + 2 + length + 2 * stage) : null;
      out.push([records[at + 1], records.slice(at + 2, at + 2 + stage), marks]);
    }
    return out;
  };
  return { kind: "chain", runs: runs2(s.runs), completed: s.completed === null ? null : runs2(s.completed) };
}
function restoreChainState(data, length, withMarks) {
  const d = data;
  if (d?.kind !== "chain" || !Array.isArray(d.runs)) throw new TypeError("restore: the key state was not taken from this pattern (was the pattern changed?)");
  const records = (runs2) => {
    const out = [];
    for (const [startTs, events, marks] of runs2) {
      const stage = events.length;
      if (stage === 0 || stage > length || marks === null === withMarks || marks !== null && marks.length !== 2 * stage) {
        throw new TypeError("restore: a run does not fit this pattern (was the pattern changed?)");
      }
      out.push(stage, startTs, ...events);
      for (let i = stage; i < length; i++) out.push(void 0);
      if (marks !== null) {
        out.push(...marks);
        for (let i = stage; i < length; i++) out.push(0, 0);
      }
    }
    return out;
  };
  const s = new ChainState();
  s.runs = records(d.runs);
  s.completed = d.completed === null ? null : records(d.completed);
  return s;
}
var init_chain_snapshot = __esm({
  "packages/core/src/nfa/chain/chain-snapshot.ts"() {
    "use strict";
    init_chain_state();
  }
});

// packages/core/src/nfa/chain/chain-nfa.ts
function compareRecords(a, i, b, j, marks) {
  const x = a[i + 1];
  const y = b[j + 1];
  if (x !== y) return x < y ? -1 : 1;
  return a[i + marks + 1] - b[j + marks + 1];
}
function compareMarks(record, i, j) {
  const x = record[i];
  const y = record[j];
  return x !== y ? x < y ? -1 : 1 : record[i + 1] - record[j + 1];
}
function insertRecord(records, record, size, marks) {
  let at = records.length;
  while (at > 0) {
    const c = marks < 0 ? records[at - size + 1] > record[1] ? 1 : 0 : compareRecords(records, at - size, record, 0, marks);
    if (c <= 0) break;
    at -= size;
  }
  for (let i = 0; i < size; i++) records.push(void 0);
  for (let i = records.length - 1; i >= at + size; i--) records[i] = records[i - size];
  for (let i = 0; i < size; i++) records[at + i] = record[i];
}
function keepRecords(records, size, marks, ts, ord, inclusive) {
  const kept = [];
  for (let at = 0; at < records.length; at += size) {
    const start = records[at + 1];
    const c = start !== ts ? start < ts ? -1 : 1 : records[at + marks + 1] - ord;
    if (inclusive ? c > 0 : c >= 0) for (let i = 0; i < size; i++) kept.push(records[at + i]);
  }
  return kept;
}
var SHARED_BIT, bitOf, UNSEEN, FALSE, TRUE2, RUN_SPECIFIC, ChainNFA, ChainContext;
var init_chain_nfa = __esm({
  "packages/core/src/nfa/chain/chain-nfa.ts"() {
    "use strict";
    init_errors();
    init_chain_snapshot();
    init_chain_state();
    SHARED_BIT = 30;
    bitOf = (stage) => 1 << (stage < SHARED_BIT ? stage : SHARED_BIT);
    UNSEEN = 0;
    FALSE = 1;
    TRUE2 = 2;
    RUN_SPECIFIC = 3;
    ChainNFA = class {
      constructor(compiled, shape) {
        this.compiled = compiled;
        this.windowMs = compiled.windowMs;
        this.skip = compiled.skipStrategy;
        this.isSkip = this.skip.isSkipStrategy();
        this.quietExpiry = !this.isSkip;
        this.takes = shape.takes;
        this.names = shape.names;
        this.length = shape.takes.length;
        this.size = 2 + this.length * (this.isSkip ? 3 : 1);
        this.marks = this.isSkip ? 2 + this.length : -1;
        let strict = 0;
        shape.relaxed.forEach((relaxed, i) => {
          if (!relaxed) strict |= bitOf(i);
        });
        this.strictBits = strict;
        this.anyStrict = shape.relaxed.some((relaxed, i) => i > 0 && !relaxed);
        const conds = [];
        this.condOf = shape.takes.map((c) => conds.includes(c) ? conds.indexOf(c) : conds.push(c) - 1);
        this.conds = conds;
        this.laterConds = [...new Set(this.condOf.slice(1))];
        this.condVerdicts = new Int8Array(conds.length);
        this.condSeen = new Int32Array(conds.length);
        const groups = /* @__PURE__ */ new Map();
        shape.names.forEach((name, i) => {
          const stages = groups.get(name);
          if (stages === void 0) groups.set(name, [i]);
          else stages.push(i);
        });
        this.groups = [...groups];
      }
      compiled;
      windowMs;
      /** Without a skip strategy no match waits for other runs, so time passing only drops runs. */
      quietExpiry;
      skip;
      isSkip;
      takes;
      names;
      /** Number of stages (L). */
      length;
      /** Slots per record, and where a record's marks begin (-1: none, no skip strategy). */
      size;
      marks;
      /** Bits of the stages with strict contiguity, where an event the stage rejects ends the run. */
      strictBits;
      /** The stages of each pattern name, names in order of first appearance (a group quantifier repeats names). */
      groups;
      ctx = new ChainContext(this);
      /** Orders events of equal timestamp (under a skip strategy): increases with every event processed. */
      ord = 0;
      /** Per event: stages whose condition was decided without a run (known), and their verdicts. */
      known = 0;
      verdicts = 0;
      /** The distinct TAKE conditions, each stage's index into them, and those of the stages after the first. */
      conds;
      condOf;
      laterConds;
      /** Whether a stage after the first has strict contiguity (then every event can end runs). */
      anyStrict;
      /**
       * Verdicts for the current event, computed at most once per event and condition (the operator
       * asks irrelevant, ignoredByNewRun and process about the same event): per condition UNSEEN,
       * FALSE, TRUE or RUN_SPECIFIC (it read the run's events, or threw: decided run by run).
       */
      condVerdicts;
      /** Event generation in which each verdict was computed: older ones count as UNSEEN (no clearing per event). */
      condSeen;
      generation = 0;
      event = void 0;
      eventTs = NaN;
      startVerdict = UNSEEN;
      createState() {
        return new ChainState();
      }
      lastDeadline(s) {
        const runs2 = s.runs;
        return this.windowMs > 0 && runs2.length > 0 ? runs2[runs2.length - this.size + 1] + this.windowMs : Infinity;
      }
      ignoredByNewRun(event, timestamp) {
        return !this.starts(event, timestamp);
      }
      /**
       * True when the event changes no key's runs and starts none: the operator then need not look the
       * key up at all. That holds when no condition takes it and no stage has strict contiguity.
       */
      irrelevant(event, timestamp) {
        if (this.anyStrict || this.starts(event, timestamp)) return false;
        const later = this.laterConds;
        for (let i = 0; i < later.length; i++) if (this.condVerdict(later[i], event, timestamp) !== FALSE) return false;
        return true;
      }
      process(s, event, timestamp, out = []) {
        const ord = this.isSkip ? this.ord++ : 0;
        const occupied = s.occupied;
        let done = null;
        let changed = false;
        if (occupied !== 0) {
          const affected = this.affectedStages(occupied, event, timestamp);
          if (affected !== 0) {
            done = this.advanceRuns(s.runs, affected, event, timestamp, ord);
            changed = true;
          }
        }
        if (this.starts(event, timestamp)) {
          const record = this.newRecord(event, timestamp, ord);
          if (this.length === 1) insertRecord(done ??= [], record, this.size, this.marks);
          else insertRecord(s.runs, record, this.size, this.marks);
          changed = true;
        }
        if (changed) {
          if (done !== null || s.completed !== null) this.emit(s, done, out);
          this.refresh(s);
        }
        return out;
      }
      advanceTime(s, timestamp, out = [], timedOut) {
        if (timestamp < s.deadline && s.completed === null) return;
        const runs2 = s.runs;
        const size = this.size;
        const windowMs = this.windowMs;
        let end = 0;
        if (windowMs > 0) while (end < runs2.length && timestamp - runs2[end + 1] >= windowMs) end += size;
        if (end > 0) {
          if (timedOut !== void 0) {
            for (let at = 0; at < end; at += size) timedOut.push({ match: this.materialize(runs2, at), timestamp: runs2[at + 1] + windowMs });
          }
          runs2.splice(0, end);
        }
        if (end > 0 || s.completed !== null) {
          this.emit(s, null, out);
          this.refresh(s);
        }
      }
      snapshotState(s) {
        return snapshotChainState(s, this.length, this.isSkip);
      }
      restoreState(data) {
        const s = restoreChainState(data, this.length, this.isSkip);
        if (this.isSkip) {
          for (const records of [s.runs, s.completed ?? []]) {
            for (let at = 0; at < records.length; at += this.size) {
              for (let i = 0; i < records[at]; i++) this.ord = Math.max(this.ord, records[at + this.marks + 2 * i + 1] + 1);
            }
          }
        }
        this.refresh(s);
        return s;
      }
      /**
       * Bits of the occupied stages whose runs this event may change. A stage's condition is decided
       * once for all its runs unless it reads the run's events through ctx (then run by run); the
       * verdicts are kept in known/verdicts for advanceRuns.
       */
      affectedStages(occupied, event, timestamp) {
        let affected = 0;
        let known = 0;
        let verdicts = 0;
        for (let mask = occupied; mask !== 0; mask &= mask - 1) {
          const bit = mask & -mask;
          const stage = 31 - Math.clz32(bit);
          const verdict = stage >= SHARED_BIT ? RUN_SPECIFIC : this.condVerdict(this.condOf[stage], event, timestamp);
          if (verdict === RUN_SPECIFIC) {
            affected |= bit;
            continue;
          }
          known |= bit;
          if (verdict === TRUE2) {
            verdicts |= bit;
            affected |= bit;
          } else if (this.strictBits & bit) affected |= bit;
        }
        this.known = known;
        this.verdicts = verdicts;
        return affected;
      }
      /** Advances or ends the runs of the affected stages; returns the runs this event completed. */
      advanceRuns(runs2, affected, event, timestamp, ord) {
        const size = this.size;
        const length = this.length;
        const n = runs2.length;
        let done = null;
        let kept = 0;
        let at = 0;
        try {
          for (; at < n; at += size) {
            const stage = runs2[at];
            const bit = bitOf(stage);
            if ((affected & bit) !== 0) {
              const take = (this.known & bit) !== 0 ? (this.verdicts & bit) !== 0 : this.test(stage, event, timestamp, runs2, at);
              if (take) {
                runs2[at] = stage + 1;
                runs2[at + 2 + stage] = event;
                if (this.isSkip) {
                  runs2[at + 2 + length + 2 * stage] = timestamp;
                  runs2[at + 3 + length + 2 * stage] = ord;
                }
                if (stage + 1 === length) {
                  done ??= [];
                  for (let i = 0; i < size; i++) done.push(runs2[at + i]);
                  continue;
                }
              } else if ((this.strictBits & bit) !== 0) continue;
            }
            if (kept !== at) for (let i = 0; i < size; i++) runs2[kept + i] = runs2[at + i];
            kept += size;
          }
        } finally {
          for (; at < n; at += size, kept += size) if (kept !== at) for (let i = 0; i < size; i++) runs2[kept + i] = runs2[at + i];
          if (kept !== n) runs2.length = kept;
        }
        return done;
      }
      /** Forgets the verdicts of the previous event. */
      see(event, timestamp) {
        if (event === this.event && timestamp === this.eventTs) return;
        this.event = event;
        this.eventTs = timestamp;
        this.startVerdict = UNSEEN;
        if (++this.generation === 2147483647) {
          this.generation = 1;
          this.condSeen.fill(0);
        }
      }
      /** Whether the event starts a run (the start condition; a run in no stage yet has no events). */
      starts(event, timestamp) {
        this.see(event, timestamp);
        if (this.startVerdict === UNSEEN) this.startVerdict = this.test(0, event, timestamp, null, 0) ? TRUE2 : FALSE;
        return this.startVerdict === TRUE2;
      }
      /** The verdict of condition `c` on the event for every run, or RUN_SPECIFIC. */
      condVerdict(c, event, timestamp) {
        this.see(event, timestamp);
        let verdict = this.condSeen[c] === this.generation ? this.condVerdicts[c] : UNSEEN;
        if (verdict === UNSEEN) {
          const ctx = this.ctx.probe(timestamp);
          try {
            verdict = this.conds[c](event, ctx) ? TRUE2 : FALSE;
          } catch {
            verdict = RUN_SPECIFIC;
          }
          if (ctx.consulted) verdict = RUN_SPECIFIC;
          this.condVerdicts[c] = verdict;
          this.condSeen[c] = this.generation;
        }
        return verdict;
      }
      newRecord(event, timestamp, ord) {
        const record = [1, timestamp, event];
        for (let i = 1; i < this.length; i++) record.push(void 0);
        if (this.isSkip) {
          record.push(timestamp, ord);
          for (let i = 1; i < this.length; i++) record.push(0, 0);
        }
        return record;
      }
      /** Recomputes the deadline and the occupied stages after the runs changed. */
      refresh(s) {
        const runs2 = s.runs;
        let occupied = 0;
        for (let at = 0; at < runs2.length; at += this.size) occupied |= bitOf(runs2[at]);
        s.occupied = occupied;
        s.changed = true;
        s.deadline = this.windowMs > 0 && runs2.length > 0 ? runs2[1] + this.windowMs : Infinity;
      }
      /**
       * Emits completed runs in start order. With a skip strategy a match waits while an earlier-started
       * run is still in progress, and each emitted match prunes the runs it makes obsolete (as NFA does).
       */
      emit(s, done, out) {
        const size = this.size;
        let completed = s.completed;
        if (done !== null) {
          if (completed === null) completed = done;
          else for (let at = 0; at < done.length; at += size) insertRecord(completed, done.slice(at, at + size), size, this.marks);
        }
        if (completed === null) return;
        if (!this.isSkip) {
          for (let at = 0; at < completed.length; at += size) out.push(this.materialize(completed, at));
          s.completed = null;
          return;
        }
        const marks = this.marks;
        while (completed.length > 0) {
          if (s.runs.length > 0 && compareRecords(completed, 0, s.runs, 0, marks) > 0) break;
          const earliest = completed.splice(0, size);
          const pruning = this.pruningEvent(earliest);
          if (pruning >= 0) {
            const ts = earliest[pruning];
            const ord = earliest[pruning + 1];
            const inclusive = this.skip.kind === "SKIP_PAST_LAST_EVENT" || this.skip.kind === "SKIP_TO_NEXT";
            s.runs = keepRecords(s.runs, size, marks, ts, ord, inclusive);
            completed = keepRecords(completed, size, marks, ts, ord, inclusive);
          }
          out.push(this.materialize(earliest, 0));
        }
        s.completed = completed.length > 0 ? completed : null;
      }
      /** Index into the completed record of the (ts, ord) of the event at or before which runs are pruned, -1 for none. */
      pruningEvent(record) {
        const skip = this.skip;
        const mark = (stage) => 2 + this.length + 2 * stage;
        let at = -1;
        switch (skip.kind) {
          case "SKIP_PAST_LAST_EVENT":
            for (let i = 0; i < this.length; i++) if (at < 0 || compareMarks(record, mark(i), at) > 0) at = mark(i);
            return at;
          case "SKIP_TO_NEXT":
            for (const [, stages] of this.groups) if (at < 0 || compareMarks(record, mark(stages[0]), at) < 0) at = mark(stages[0]);
            return at;
          default: {
            const group = this.groups.find((g) => g[0] === skip.patternName);
            if (group === void 0) {
              if (skip.throwOnMiss) throw new CepRuntimeError(`Could not skip to ${skip.patternName}. No such element in the found match ${this.describe(record)}`);
              return -1;
            }
            const stages = group[1];
            at = mark(skip.kind === "SKIP_TO_FIRST" ? stages[0] : stages[stages.length - 1]);
            if (skip.throwOnMiss) {
              let start = mark(0);
              for (let i = 1; i < this.length; i++) if (compareMarks(record, mark(i), start) < 0) start = mark(i);
              if (start === at) throw new CepRuntimeError("Could not skip to first element of a match.");
            }
            return at;
          }
        }
      }
      describe(record) {
        const mark = (i) => `${record[2 + this.length + 2 * i]}:${record[3 + this.length + 2 * i]}`;
        return `{${this.groups.map(([name, stages]) => `${name}=[${stages.map(mark).join(", ")}]`).join(", ")}}`;
      }
      /** The record's events by pattern name, in pattern order. */
      materialize(records, at) {
        const out = /* @__PURE__ */ new Map();
        const stage = records[at];
        for (const [name, stages] of this.groups) {
          if (stages[0] >= stage) break;
          out.set(name, this.pick(records, at, stages));
        }
        return out;
      }
      /** Events the run at `at` has taken for `name` (ConditionContext.getEventsForPattern). */
      eventsFor(records, at, name) {
        if (records === null) return [];
        const group = this.groups.find((g) => g[0] === name);
        return group === void 0 ? [] : this.pick(records, at, group[1]);
      }
      /** The events at the given stages, up to the stage the run has reached. */
      pick(records, at, stages) {
        const stage = records[at];
        const out = [];
        for (let i = 0; i < stages.length && stages[i] < stage; i++) out.push(records[at + 2 + stages[i]]);
        return out;
      }
      test(stage, event, timestamp, records, at) {
        const ctx = this.ctx.reset(records, at, timestamp);
        try {
          return !!this.takes[stage](event, ctx);
        } catch (e) {
          throw new CepRuntimeError(`Failure happened in filter function of '${this.names[stage]}': ${e?.message ?? e}`, { cause: e });
        }
      }
    };
    ChainContext = class {
      constructor(nfa) {
        this.nfa = nfa;
      }
      nfa;
      records = null;
      at = 0;
      ts = 0;
      /** Probing (no run): set when a condition asked for the run's events. */
      consulted = false;
      probing = false;
      reset(records, at, ts) {
        this.records = records;
        this.at = at;
        this.ts = ts;
        this.probing = false;
        return this;
      }
      probe(ts) {
        this.records = null;
        this.ts = ts;
        this.probing = true;
        this.consulted = false;
        return this;
      }
      getEventsForPattern(name) {
        if (this.probing) this.consulted = true;
        return this.nfa.eventsFor(this.records, this.at, name);
      }
      timestamp() {
        return this.ts;
      }
    };
  }
});

// packages/core/src/nfa/chain/chain-shape.ts
function chainShape(nfa) {
  const takes = [];
  const relaxed = [];
  const names = [];
  const seen = /* @__PURE__ */ new Set();
  let state = nfa.startState;
  while (!state.isFinal) {
    if (seen.has(state) || state.windowMs !== void 0) return void 0;
    if (seen.size === 0 ? !state.isStart : state.type !== "Normal") return void 0;
    seen.add(state);
    let take;
    let next;
    let ignore;
    for (const t of state.transitions) {
      if (t.action === "TAKE" && next === void 0 && t.target !== state) {
        take = t.condition ?? TRUE;
        next = t.target;
      } else if (t.action === "IGNORE" && ignore === void 0 && t.target === state) ignore = t.condition;
      else return void 0;
    }
    if (next === void 0) return void 0;
    const isRelaxed = !state.isStart && ignore !== void 0;
    if (isRelaxed && (ignore === null || negated(ignore) !== take)) return void 0;
    takes.push(take);
    relaxed.push(isRelaxed);
    names.push(state.patternName);
    state = next;
  }
  if (seen.size + 1 !== nfa.states.length || state.transitions.length > 0) return void 0;
  return { takes, relaxed, names };
}
var init_chain_shape = __esm({
  "packages/core/src/nfa/chain/chain-shape.ts"() {
    "use strict";
    init_conditions();
  }
});

// packages/core/src/util/java-heap.ts
function heapAdd(es, x, cmp) {
  let k = es.length;
  es.push(x);
  while (k > 0) {
    const parent = k - 1 >>> 1;
    const e = es[parent];
    if (cmp(x, e) >= 0) break;
    es[k] = e;
    k = parent;
  }
  es[k] = x;
}
function heapPoll(es, cmp) {
  if (es.length === 0) return void 0;
  const result2 = es[0];
  const last2 = es.pop();
  if (es.length > 0) siftDown(es, 0, last2, es.length, cmp);
  return result2;
}
function heapRemoveIf(es, drop, cmp) {
  const end = es.length;
  let i = 0;
  while (i < end && !drop(es[i])) i++;
  if (i >= end) return false;
  const dead = new Uint8Array(end);
  dead[i] = 1;
  for (let j = i + 1; j < end; j++) if (drop(es[j])) dead[j] = 1;
  let w = i;
  for (let j = i; j < end; j++) if (!dead[j]) es[w++] = es[j];
  es.length = w;
  for (let k = (w >>> 1) - 1; k >= 0; k--) siftDown(es, k, es[k], w, cmp);
  return true;
}
function siftDown(es, k, x, n, cmp) {
  const half = n >>> 1;
  while (k < half) {
    let child = (k << 1) + 1;
    let c = es[child];
    const right = child + 1;
    if (right < n && cmp(c, es[right]) > 0) c = es[child = right];
    if (cmp(x, c) <= 0) break;
    es[k] = c;
    k = child;
  }
  es[k] = x;
}
var init_java_heap = __esm({
  "packages/core/src/util/java-heap.ts"() {
    "use strict";
  }
});

// packages/core/src/nfa/computation-state.ts
function startComputation(state, version) {
  return { state, version, entry: null, startTs: -1, prevTs: -1, startEvent: null };
}
function compareComputations(a, b) {
  const x = a.startEvent;
  const y = b.startEvent;
  if (x === null) return y === null ? 0 : 1;
  if (y === null) return -1;
  return compareEvents(x, y);
}
var init_computation_state = __esm({
  "packages/core/src/nfa/computation-state.ts"() {
    "use strict";
    init_shared_buffer();
  }
});

// packages/core/src/state/snapshot.ts
function snapshotNFAState(s) {
  const eventIndex = /* @__PURE__ */ new Map();
  const nodeIndex = /* @__PURE__ */ new Map();
  const events = [];
  const nodes = [];
  const addEvent = (e) => {
    let i = eventIndex.get(e);
    if (i === void 0) {
      eventIndex.set(e, i = events.length);
      events.push([e.timestamp, e.id, e.refs, e.event]);
    }
    return i;
  };
  const visit = (n) => {
    const stack = n === null ? [] : [n];
    while (stack.length > 0) {
      const cur = stack.pop();
      if (nodeIndex.has(cur)) continue;
      nodeIndex.set(cur, nodes.length);
      nodes.push(cur);
      for (const edge of edgesOf(cur)) if (edge.target !== null) stack.push(edge.target);
    }
  };
  const runs2 = [...s.partial, ...s.completed ?? []];
  for (const cs of runs2) visit(cs.entry);
  const nodeRows = nodes.map((n) => {
    const edges = edgesOf(n).map((e) => [e.target === null ? -1 : nodeIndex.get(e.target), [...e.version], e.refs]);
    return [addEvent(n.entry), n.page, n.refs, edges];
  });
  const run2 = (cs) => [
    cs.state.name,
    [...cs.version],
    cs.entry === null ? -1 : nodeIndex.get(cs.entry),
    cs.startTs,
    cs.prevTs,
    cs.startEvent === null ? -1 : addEvent(cs.startEvent)
  ];
  return {
    events,
    nodes: nodeRows,
    partial: s.partial.map(run2),
    completed: s.completed === null ? null : s.completed.map(run2),
    counts: s.counts
  };
}
function restoreNFAState(data, nfa) {
  if (!Array.isArray(data?.partial)) throw new TypeError("restore: the key state was not taken from this pattern (was the pattern changed?)");
  const states = new Map(nfa.compiled.states.map((st) => [st.name, st]));
  const s = new NFAState();
  const events = data.events.map(([timestamp, id, refs, event]) => ({ event, timestamp, id, refs, node: null, moreNodes: null }));
  const nodes = data.nodes.map(([ev, page, refs]) => {
    const entry = events[ev];
    const node = { entry, page, refs, removed: false, edge0Target: null, edge0Version: null, edge0Refs: 0, moreEdges: null };
    attachNode(entry, node);
    return node;
  });
  data.nodes.forEach(([, , , edges], i) => {
    for (const [target, version, refs] of edges) addEdge(nodes[i], { target: target < 0 ? null : nodes[target], version, refs });
  });
  const run2 = ([name, version, node, startTs, prevTs, startEvent]) => {
    const state = states.get(name);
    if (state === void 0) throw new TypeError(`restore: state '${name}' does not exist in the compiled pattern (was the pattern changed?)`);
    if (node < 0 && startEvent < 0 && state === nfa.startState) return nfa.startRun(version);
    return { state, version, entry: node < 0 ? null : nodes[node], startTs, prevTs, startEvent: startEvent < 0 ? null : events[startEvent] };
  };
  s.partial = data.partial.map(run2);
  s.completed = data.completed === null ? null : data.completed.map(run2);
  s.liveEvents = events.length;
  s.liveNodes = nodes.length;
  s.counts = data.counts;
  nfa.refresh(s);
  return s;
}
var init_snapshot = __esm({
  "packages/core/src/state/snapshot.ts"() {
    "use strict";
    init_nfa();
    init_shared_buffer();
  }
});

// packages/core/src/nfa/nfa.ts
function addComputation(s, out, state, entry, version, startTs, prevTs, startEvent) {
  out.push({ state, version, entry, startTs, prevTs, startEvent });
  s.lockNode(entry, version);
}
function currentMatch(s, cs) {
  return s.extractPath(cs.entry, cs.version);
}
function selfIncrease(ignores, takes) {
  return takes === 0 && ignores === 0 ? 0 : ignores + Math.max(1, takes);
}
function isTimedOut(cs, now, since, windowMs) {
  return !cs.state.isStart && windowMs > 0 && now - since >= windowMs;
}
function check2(t, event, ctx) {
  const c = t.condition;
  if (c === null) return true;
  try {
    return c(event, ctx);
  } catch (e) {
    throw new CepRuntimeError(`Failure happened in filter function of '${t.source.patternName}': ${e?.message ?? e}`, { cause: e });
  }
}
var NFAState, NFA, RunContext;
var init_nfa = __esm({
  "packages/core/src/nfa/nfa.ts"() {
    "use strict";
    init_errors();
    init_java_heap();
    init_computation_state();
    init_dewey_number();
    init_shared_buffer();
    init_snapshot();
    NFAState = class extends SharedBuffer {
      /** Runs waiting for events, as a java.util.PriorityQueue heap array (Flink iterates it in array order). */
      partial = [];
      /** Completed runs waiting to be emitted (skip strategies emit in start order), as a heap array. */
      completed = null;
      /** Earliest time at which a run's window closes (Infinity: none); advanceTime is a no-op before it. */
      deadline = Infinity;
      /** Bit i set: some run is in state i (0 when the NFA has too many states to track). */
      occupied = 0;
      /** Set whenever the runs change (the deadline may have moved); cleared by whoever schedules timers. */
      changed = false;
      /** For the operator: the key, and the time of this state's pending timer (Infinity: none). */
      key = void 0;
      /** Creation order of the key; breaks ties between timers of the same time. */
      seq = 0;
      scheduled = Infinity;
      /** True when no run has started and nothing is buffered or pending. */
      isIdle() {
        if (this.completed !== null || !this.isEmpty()) return false;
        for (let i = 0; i < this.partial.length; i++) if (this.partial[i].startEvent !== null) return false;
        return true;
      }
    };
    NFA = class {
      constructor(compiled) {
        this.compiled = compiled;
        this.windowMs = compiled.windowMs;
        this.skip = compiled.skipStrategy;
        this.startState = compiled.startState;
        this.trackStates = compiled.states.length <= 30;
        for (const st of compiled.states) if (!st.isFinal && !st.isStop) this.waitStates |= 1 << st.index;
      }
      compiled;
      windowMs;
      skip;
      startState;
      ctx = new RunContext();
      /** Whether runs can be skipped by state (see isNoOp); the occupied-state mask needs one bit per state. */
      trackStates;
      /** Bits of the states a run can wait in (all but final and stop states). */
      waitStates = 0;
      /** Runs in the start state are immutable and differ only by version [k]: shared by all keys. */
      startRuns = [];
      /** The start-state run with version [k]. */
      startRun(version) {
        const k = version[0];
        if (version.length !== 1 || !(k >= 0 && k < 4096)) return startComputation(this.startState, version);
        return this.startRuns[k] ??= startComputation(this.startState, version);
      }
      createState() {
        const s = new NFAState();
        s.partial.push(this.startRun(deweyStart(1)));
        s.occupied = this.trackStates ? 1 << this.startState.index : 0;
        return s;
      }
      /** True when `process` on a fresh state would leave it unchanged: no need to create one. */
      ignoredByNewRun(event, timestamp) {
        return this.trackStates && this.isNoOp(this.startState, event, timestamp);
      }
      /** Pending runs (a trailing notFollowedBy) and skip strategies make time passing emit matches. */
      quietExpiry = false;
      lastDeadline(s) {
        let max = -Infinity;
        for (const cs of s.partial) if (!cs.state.isStart) max = Math.max(max, this.windowMs > 0 ? cs.startTs + this.windowMs : Infinity);
        return max === -Infinity ? Infinity : max;
      }
      irrelevant(event, timestamp) {
        return this.trackStates && this.noOpStates(this.waitStates, event, timestamp) === this.waitStates;
      }
      snapshotState(s) {
        return snapshotNFAState(s);
      }
      restoreState(data) {
        return restoreNFAState(data, this);
      }
      /** Processes one event; appends the matches it completed to `out`, in Flink's order. */
      process(s, event, timestamp, out = []) {
        const occupied = s.occupied;
        const noOpStates = occupied === 0 ? 0 : this.noOpStates(occupied, event, timestamp);
        if (occupied !== 0 && noOpStates === occupied) return out;
        const ev = { event, timestamp, entry: null };
        const items = s.partial;
        let partial;
        let potential;
        try {
          for (let i = 0; i < items.length; i++) {
            const cs = items[i];
            const next = noOpStates & 1 << cs.state.index ? cs : this.computeNextStates(s, cs, ev);
            if (next === cs) {
              if (partial !== void 0) heapAdd(partial, cs, compareComputations);
              continue;
            }
            if (partial === void 0) {
              partial = this.scratchHeap;
              for (let j = 0; j < i; j++) heapAdd(partial, items[j], compareComputations);
            }
            let discard = false;
            let retain;
            for (const n of next) {
              if (n.state.isFinal) heapAdd(potential ??= [], n, compareComputations);
              else if (n.state.isStop) {
                discard = true;
                s.releaseNode(n.entry, n.version);
              } else (retain ??= []).push(n);
            }
            if (retain === void 0) continue;
            if (discard) for (const r of retain) s.releaseNode(r.entry, r.version);
            else for (const r of retain) heapAdd(partial, r, compareComputations);
          }
          if (partial !== void 0 || s.completed !== null) {
            const p = partial !== void 0 ? partial.slice() : items;
            if (partial !== void 0) partial.length = 0;
            this.emitAccordingToSkipStrategy(s, potential, p, out);
            this.setPartial(s, p);
          }
        } finally {
          if (this.scratchHeap.length !== 0) this.scratchHeap.length = 0;
          if (ev.entry !== null) s.releaseEvent(ev.entry);
        }
        return out;
      }
      /**
       * Time passes `timestamp`: runs whose window closed are dropped (reported in `timedOut` when
       * given), and pending runs (a trailing notFollowedBy) complete into `out`.
       */
      advanceTime(s, timestamp, out = [], timedOut) {
        if (timestamp < s.deadline && s.completed === null) {
          s.advanceTime(timestamp);
          return;
        }
        const windowMs = this.windowMs;
        const items = s.partial;
        let partial;
        let potential;
        for (let i = 0; i < items.length; i++) {
          const cs = items[i];
          const loopWindow = cs.state.windowMs;
          const prevTimeout = loopWindow !== void 0 && isTimedOut(cs, timestamp, cs.prevTs, loopWindow);
          const firstTimeout = isTimedOut(cs, timestamp, cs.startTs, windowMs);
          if (!prevTimeout && !firstTimeout) {
            if (partial !== void 0) heapAdd(partial, cs, compareComputations);
            continue;
          }
          if (partial === void 0) {
            partial = [];
            for (let j = 0; j < i; j++) heapAdd(partial, items[j], compareComputations);
          }
          if (cs.state.isPending) {
            heapAdd(potential ??= [], cs, compareComputations);
            continue;
          }
          timedOut?.push({
            match: s.materialize(currentMatch(s, cs)),
            timestamp: prevTimeout ? cs.prevTs + loopWindow : cs.startTs + windowMs
          });
          s.releaseNode(cs.entry, cs.version);
        }
        if (partial !== void 0 || s.completed !== null) {
          const p = partial ?? items;
          this.emitAccordingToSkipStrategy(s, potential, p, out);
          this.setPartial(s, p);
        }
        s.advanceTime(timestamp);
      }
      setPartial(s, partial) {
        s.partial = partial;
        this.refresh(s);
      }
      /** Recomputes the derived fields (deadline, occupied states) after the runs changed. */
      refresh(s) {
        const partial = s.partial;
        s.deadline = this.nextDeadline(s);
        s.changed = true;
        if (this.trackStates) {
          let mask = 0;
          for (let i = 0; i < partial.length; i++) mask |= 1 << partial[i].state.index;
          s.occupied = mask;
        }
      }
      /** Bitmask of the occupied states in which the event leaves a run unchanged, whatever the run (see isNoOp). */
      noOpStates(occupied, event, timestamp) {
        const states = this.compiled.states;
        let result2 = 0;
        for (let mask = occupied; mask !== 0; mask &= mask - 1) {
          const bit = mask & -mask;
          if (this.isNoOp(states[31 - Math.clz32(bit)], event, timestamp)) result2 |= bit;
        }
        return result2;
      }
      /**
       * True when the event leaves every run in `state` unchanged: the only enabled edge is a
       * self-IGNORE (or none, for the start state). Conditions are functions of (event, ctx), so this is
       * decided once per state instead of once per run, without touching the runs (the per-event cost
       * across many keys is memory bound). A condition that reads the run's events through ctx makes the
       * answer run-specific: then the runs are evaluated one by one.
       */
      isNoOp(state, event, timestamp) {
        const ctx = this.ctx.probe(timestamp);
        try {
          this.decisionGraph(state, event, ctx);
        } catch {
          this.stack.length = 0;
          return false;
        }
        if (ctx.consulted) return false;
        const n = this.edgeCount;
        const edges = this.edges;
        return state.isStart ? n === 0 : n === 1 && edges[0].action === "IGNORE" && edges[0].target === state;
      }
      /** The earliest time at which `advanceTime` would change this state, or Infinity. */
      nextDeadline(s) {
        let min = Infinity;
        const windowMs = this.windowMs;
        for (const cs of s.partial) {
          if (cs.state.isStart) continue;
          if (windowMs > 0 && cs.startTs + windowMs < min) min = cs.startTs + windowMs;
          const w = cs.state.windowMs;
          if (w !== void 0 && w > 0 && cs.prevTs + w < min) min = cs.prevTs + w;
        }
        return min;
      }
      /**
       * Completed runs are emitted in start order; with a skip strategy a match waits until no
       * earlier-started partial match could still complete before it (Flink's processMatchesAccordingToSkipStrategy).
       */
      emitAccordingToSkipStrategy(s, potential, partial, out) {
        let completed = s.completed;
        if (potential !== void 0) {
          completed ??= [];
          for (const p of potential) heapAdd(completed, p, compareComputations);
        }
        if (completed === null) return;
        const isSkip = this.skip.isSkipStrategy();
        while (completed.length > 0) {
          const earliest = completed[0];
          if (isSkip && partial.length > 0 && compareComputations(earliest, partial[0]) > 0) break;
          heapPoll(completed, compareComputations);
          const matched = s.extractPath(earliest.entry, earliest.version);
          if (isSkip && matched !== void 0) {
            this.prune(s, partial, matched);
            this.prune(s, completed, matched);
          }
          out.push(s.materialize(matched));
          s.releaseNode(earliest.entry, earliest.version);
        }
        s.completed = completed.length > 0 ? completed : null;
      }
      prune(s, heap, matched) {
        const skip = this.skip;
        const pruning = skip.pruningEvent(matched);
        if (pruning === void 0) return;
        const discard = /* @__PURE__ */ new Set();
        for (const cs of heap) {
          if (cs.startEvent !== null && skip.shouldPrune(cs.startEvent, pruning)) {
            s.releaseNode(cs.entry, cs.version);
            discard.add(cs);
          }
        }
        if (discard.size > 0) heapRemoveIf(heap, (cs) => discard.has(cs), compareComputations);
      }
      /**
       * Flink's computeNextStates: follows the TAKE and IGNORE edges the event enables from `cs`.
       * Returns `cs` itself when Flink would produce an identical copy of it (only a self-IGNORE, or a
       * start state with no edge): its lock and release of the buffer node cancel out.
       */
      computeNextStates(s, cs, ev) {
        const ctx = this.ctx.reset(s, cs, ev.timestamp);
        const edges = this.edges;
        this.decisionGraph(cs.state, ev.event, ctx);
        const isStart = cs.state.isStart;
        const n = this.edgeCount;
        if (n === 0) {
          if (isStart) return cs;
        } else if (n === 1 && !isStart && edges[0].action === "IGNORE" && edges[0].target === cs.state) {
          return cs;
        }
        const result2 = [];
        const totalTake = this.takes;
        const totalIgnore = this.ignores;
        let takeBranchesToVisit = Math.max(0, totalTake - 1);
        let ignoreBranchesToVisit = totalIgnore;
        const totalTakeToSkip = Math.max(0, totalTake - 1);
        for (let e = 0; e < n; e++) {
          const edge = edges[e];
          if (edge.action === "IGNORE") {
            if (isStart) continue;
            let version;
            if (edge.target.name === cs.state.name) {
              version = increase(cs.version, selfIncrease(totalIgnore, totalTake));
            } else {
              version = addStage(increase(cs.version, totalTakeToSkip + ignoreBranchesToVisit));
              ignoreBranchesToVisit--;
            }
            addComputation(s, result2, edge.target, cs.entry, version, cs.startTs, cs.prevTs, cs.startEvent);
          } else {
            const currentVersion = increase(cs.version, takeBranchesToVisit);
            const nextVersion = addStage(currentVersion);
            takeBranchesToVisit--;
            const entry = ev.entry ??= s.registerEvent(ev.event, ev.timestamp);
            const node = s.put(edge.source.patternName, entry, cs.entry, currentVersion);
            const startTs = isStart ? ev.timestamp : cs.startTs;
            const startEvent = isStart ? entry : cs.startEvent;
            addComputation(s, result2, edge.target, node, nextVersion, startTs, ev.timestamp, startEvent);
            const final = this.finalStateAfterProceed(edge.target, ev.event, ctx);
            if (final !== null) addComputation(s, result2, final, node, nextVersion, startTs, ev.timestamp, startEvent);
          }
        }
        if (isStart) result2.push(cs.state === this.startState ? this.startRun(increase(cs.version, selfIncrease(totalIgnore, totalTake))) : startComputation(cs.state, increase(cs.version, selfIncrease(totalIgnore, totalTake))));
        if (cs.entry !== null) s.releaseNode(cs.entry, cs.version);
        return result2;
      }
      /** Scratch heap for rebuilding a key's runs; the result is stored as an exact-size copy. */
      scratchHeap = [];
      /** Scratch output of decisionGraph, reused: the per-event path allocates nothing for unchanged runs. */
      edges = [];
      edgeCount = 0;
      takes = 0;
      ignores = 0;
      stack = [];
      /** TAKE and IGNORE edges enabled by the event, following PROCEED edges (Flink's createDecisionGraph). */
      decisionGraph(state, event, ctx) {
        const edges = this.edges;
        const stack = this.stack;
        let takes = 0;
        let ignores = 0;
        let count = 0;
        stack.push(state);
        while (stack.length > 0) {
          const transitions = stack.pop().transitions;
          for (let i = 0; i < transitions.length; i++) {
            const t = transitions[i];
            if (!check2(t, event, ctx)) continue;
            if (t.action === "PROCEED") stack.push(t.target);
            else {
              if (t.action === "TAKE") takes++;
              else if (t.target.name !== state.name) ignores++;
              edges[count++] = t;
            }
          }
        }
        this.edgeCount = count;
        this.takes = takes;
        this.ignores = ignores;
      }
      proceedStack = [];
      finalStateAfterProceed(state, event, ctx) {
        const stack = this.proceedStack;
        stack.push(state);
        while (stack.length > 0) {
          const transitions = stack.pop().transitions;
          for (let i = 0; i < transitions.length; i++) {
            const t = transitions[i];
            if (t.action !== "PROCEED" || !check2(t, event, ctx)) continue;
            if (t.target.isFinal) {
              stack.length = 0;
              return t.target;
            }
            stack.push(t.target);
          }
        }
        return null;
      }
    };
    RunContext = class {
      buffer = null;
      cs = null;
      ts = 0;
      events;
      /** Probing (no run): set when a condition asked for the run's events. */
      consulted = false;
      reset(buffer, cs, ts) {
        this.buffer = buffer;
        this.cs = cs;
        this.ts = ts;
        this.events = void 0;
        return this;
      }
      /** A context for evaluating conditions per state, with no run behind it. */
      probe(ts) {
        this.buffer = null;
        this.cs = null;
        this.ts = ts;
        this.consulted = false;
        this.events = void 0;
        return this;
      }
      getEventsForPattern(name) {
        if (this.cs === null) {
          this.consulted = true;
          return [];
        }
        this.events ??= this.buffer.materialize(currentMatch(this.buffer, this.cs));
        return this.events.get(name) ?? [];
      }
      timestamp() {
        return this.ts;
      }
    };
  }
});

// packages/core/src/nfa/compile.ts
function compile(pattern) {
  const compiled = compilePattern(pattern);
  const chain = chainShape(compiled);
  return chain !== void 0 ? new ChainNFA(compiled, chain) : new NFA(compiled);
}
var init_compile = __esm({
  "packages/core/src/nfa/compile.ts"() {
    "use strict";
    init_chain_nfa();
    init_chain_shape();
    init_nfa_compiler();
    init_nfa();
  }
});

// packages/core/src/time/event-time-buffer.ts
var EventTimeBuffer;
var init_event_time_buffer = __esm({
  "packages/core/src/time/event-time-buffer.ts"() {
    "use strict";
    EventTimeBuffer = class {
      ts = [];
      evs = [];
      head = 0;
      len = 0;
      get size() {
        return this.len - this.head;
      }
      add(ts, event) {
        const tss = this.ts;
        const evs = this.evs;
        let at = this.len;
        if (at > this.head && tss[at - 1] > ts) {
          let lo = this.head;
          let hi = at;
          while (lo < hi) {
            const mid = lo + hi >>> 1;
            if (tss[mid] <= ts) lo = mid + 1;
            else hi = mid;
          }
          for (let k = at; k > lo; k--) {
            tss[k] = tss[k - 1];
            evs[k] = evs[k - 1];
          }
          at = lo;
        }
        tss[at] = ts;
        evs[at] = event;
        this.len++;
      }
      /** Calls `fn` for every event with timestamp <= watermark, in order; each is removed before `fn` runs. */
      release(watermark, fn) {
        const tss = this.ts;
        const evs = this.evs;
        while (this.head < this.len && tss[this.head] <= watermark) {
          const i = this.head++;
          const e = evs[i];
          evs[i] = void 0;
          fn(e, tss[i]);
        }
        if (this.head === this.len) this.head = this.len = 0;
        else if (this.head > 1024 && this.head > this.len >>> 1) {
          this.ts = tss.slice(this.head, this.len);
          this.evs = evs.slice(this.head, this.len);
          this.len -= this.head;
          this.head = 0;
        }
      }
      /** The buffered events in release order. */
      entries() {
        const out = [];
        for (let i = this.head; i < this.len; i++) out.push({ ts: this.ts[i], event: this.evs[i] });
        return out;
      }
    };
  }
});

// packages/core/src/time/timer-queue.ts
var TimerQueue, TimerHeap;
var init_timer_queue = __esm({
  "packages/core/src/time/timer-queue.ts"() {
    "use strict";
    TimerQueue = class {
      fifoTimes = [];
      fifoTies = [];
      fifoTargets = [];
      fifoHead = 0;
      heap = new TimerHeap();
      get size() {
        return this.fifoTimes.length - this.fifoHead + this.heap.size;
      }
      /** Time of the earliest timer, Infinity when none. */
      peekTime() {
        const f = this.fifoHead < this.fifoTimes.length ? this.fifoTimes[this.fifoHead] : Infinity;
        const h = this.heap.peekTime();
        return f < h ? f : h;
      }
      add(time, tie, target) {
        const n = this.fifoTimes.length;
        if (n === this.fifoHead || this.fifoTimes[n - 1] < time || this.fifoTimes[n - 1] === time && this.fifoTies[n - 1] <= tie) {
          this.fifoTimes.push(time);
          this.fifoTies.push(tie);
          this.fifoTargets.push(target);
        } else {
          this.heap.add(time, tie, target);
        }
      }
      /** Removes and returns the earliest timer's target (the queue must not be empty). */
      poll() {
        const i = this.fifoHead;
        if (i < this.fifoTimes.length && (this.heap.size === 0 || !this.heap.before(this.fifoTimes[i], this.fifoTies[i]))) {
          const target = this.fifoTargets[i];
          this.fifoTargets[i] = void 0;
          this.fifoHead = i + 1;
          if (this.fifoHead === this.fifoTimes.length) this.clearFifo();
          else if (this.fifoHead > 4096 && this.fifoHead > this.fifoTimes.length >>> 1) this.compactFifo();
          return target;
        }
        return this.heap.poll();
      }
      clearFifo() {
        this.fifoTimes.length = 0;
        this.fifoTies.length = 0;
        this.fifoTargets.length = 0;
        this.fifoHead = 0;
      }
      compactFifo() {
        const h = this.fifoHead;
        this.fifoTimes = this.fifoTimes.slice(h);
        this.fifoTies = this.fifoTies.slice(h);
        this.fifoTargets = this.fifoTargets.slice(h);
        this.fifoHead = 0;
      }
    };
    TimerHeap = class {
      times = [];
      ties = [];
      targets = [];
      get size() {
        return this.times.length;
      }
      peekTime() {
        return this.times.length > 0 ? this.times[0] : Infinity;
      }
      /** Whether the heap's head comes before (time, tie). */
      before(time, tie) {
        return this.times[0] < time || this.times[0] === time && this.ties[0] < tie;
      }
      add(time, tie, target) {
        const { times, ties } = this;
        let k = times.length;
        this.push(time, tie, target);
        while (k > 0) {
          const parent = k - 1 >>> 1;
          if (times[parent] < time || times[parent] === time && ties[parent] <= tie) break;
          this.move(parent, k);
          k = parent;
        }
        this.put(k, time, tie, target);
      }
      poll() {
        const { times, ties, targets } = this;
        const result2 = targets[0];
        const lastTime = times.pop();
        const lastTie = ties.pop();
        const lastTarget = targets.pop();
        const n = times.length;
        if (n === 0) return result2;
        let k = 0;
        const half = n >>> 1;
        while (k < half) {
          let child = 2 * k + 1;
          const r = child + 1;
          if (r < n && (times[r] < times[child] || times[r] === times[child] && ties[r] < ties[child])) child = r;
          if (!(times[child] < lastTime || times[child] === lastTime && ties[child] < lastTie)) break;
          this.move(child, k);
          k = child;
        }
        this.put(k, lastTime, lastTie, lastTarget);
        return result2;
      }
      push(time, tie, target) {
        this.times.push(time);
        this.ties.push(tie);
        this.targets.push(target);
      }
      move(from, to) {
        this.put(to, this.times[from], this.ties[from], this.targets[from]);
      }
      put(k, time, tie, target) {
        this.times[k] = time;
        this.ties[k] = tie;
        this.targets[k] = target;
      }
    };
  }
});

// packages/core/src/operator/key-table.ts
var KeyTable;
var init_key_table = __esm({
  "packages/core/src/operator/key-table.ts"() {
    "use strict";
    KeyTable = class {
      dense = [];
      denseSize = 0;
      map = /* @__PURE__ */ new Map();
      get size() {
        return this.denseSize + this.map.size;
      }
      get(key) {
        if (typeof key === "number" && key < this.dense.length && key >>> 0 === key) {
          const v = this.dense[key];
          if (v !== void 0 || this.map.size === 0) return v;
        }
        return this.map.get(key);
      }
      set(key, value) {
        if (typeof key === "number" && key >>> 0 === key && this.map.get(key) === void 0 && this.fitsDense(key)) {
          if (this.dense[key] === void 0) this.denseSize++;
          this.dense[key] = value;
        } else this.map.set(key, value);
      }
      delete(key) {
        if (typeof key === "number" && key < this.dense.length && this.dense[key] !== void 0) {
          this.dense[key] = void 0;
          this.denseSize--;
        } else this.map.delete(key);
      }
      /** Every value (order unspecified). */
      *values() {
        for (const v of this.dense) if (v !== void 0) yield v;
        yield* this.map.values();
      }
      /** Grows the array (with explicit slots: a sparse array would turn into a dictionary) if `key` keeps it dense. */
      fitsDense(key) {
        const dense = this.dense;
        if (key < dense.length) return true;
        if (key >= Math.max(1024, 4 * (this.size + 1))) return false;
        const length = Math.max(key + 1, dense.length * 2);
        while (dense.length < length) dense.push(void 0);
        return true;
      }
    };
  }
});

// packages/core/src/time/watermarks.ts
var BoundedOutOfOrderness;
var init_watermarks = __esm({
  "packages/core/src/time/watermarks.ts"() {
    "use strict";
    BoundedOutOfOrderness = class {
      constructor(maxOutOfOrdernessMs) {
        this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
        if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError(`out-of-orderness must be >= 0 ms, got ${maxOutOfOrdernessMs}`);
      }
      maxOutOfOrdernessMs;
      maxTs = -Infinity;
      /** Records an event time and returns the current watermark. */
      onEvent(timestamp) {
        if (timestamp > this.maxTs) this.maxTs = timestamp;
        return this.current();
      }
      current() {
        return this.maxTs - this.maxOutOfOrdernessMs - 1;
      }
    };
  }
});

// packages/core/src/operator/cep-operator.ts
function jsonNumber(n) {
  return Number.isFinite(n) ? n : null;
}
function fromJsonNumber(n) {
  return n === null ? -Infinity : n;
}
var CepOperator;
var init_cep_operator = __esm({
  "packages/core/src/operator/cep-operator.ts"() {
    "use strict";
    init_compile();
    init_event_time_buffer();
    init_timer_queue();
    init_key_table();
    init_watermarks();
    CepOperator = class _CepOperator {
      constructor(options) {
        this.options = options;
        const names = Object.keys(options.patterns);
        if (names.length === 0) throw new TypeError("CepOperator: give at least one pattern");
        this.runners = names.map((name) => {
          const nfa = compile(options.patterns[name]);
          return { name, nfa, keys: new KeyTable(), timers: new TimerQueue(), deferExpiry: nfa.quietExpiry && options.onTimeout === void 0 };
        });
        this.keyOf = options.key ?? (() => void 0);
        this.mode = options.time ?? "event";
        this.clock = options.clock ?? Date.now;
        this.timeOf = options.timestamp;
        if (this.mode === "event" && this.timeOf === void 0) throw new TypeError("CepOperator: event time needs a 'timestamp' function (or use time: 'processing')");
        if (options.outOfOrdernessMs !== void 0) this.watermarks = new BoundedOutOfOrderness(options.outOfOrdernessMs);
        this.timedOut = options.onTimeout ? [] : void 0;
      }
      options;
      stats = { events: 0, matches: 0, timeouts: 0, lateEvents: 0 };
      runners;
      keyOf;
      timeOf;
      clock;
      watermarks;
      mode;
      watermark = -Infinity;
      keySeq = 0;
      lastProcessingTime = -Infinity;
      pending = new EventTimeBuffer();
      matches = [];
      timedOut;
      /** The current event-time watermark. */
      get currentWatermark() {
        return this.watermark;
      }
      /** Events buffered until the watermark passes them. */
      get bufferedCount() {
        return this.pending.size;
      }
      /** Number of keys with matching state, over all patterns. */
      get keyCount() {
        let n = 0;
        for (const r of this.runners) n += r.keys.size;
        return n;
      }
      /** Feeds one event. In event time it waits in the buffer until the watermark passes its timestamp. */
      processElement(event) {
        this.stats.events++;
        if (this.mode === "processing") {
          this.processAt(event, this.processingTime());
          return;
        }
        const ts = this.timeOf(event);
        if (typeof ts !== "number" || Number.isNaN(ts)) throw new TypeError(`CepOperator: timestamp() returned ${String(ts)}, expected a number of ms`);
        if (ts <= this.watermark) {
          this.stats.lateEvents++;
          this.options.onLate?.(event, ts);
          return;
        }
        this.pending.add(ts, event);
        if (this.watermarks !== void 0) this.advanceWatermark(this.watermarks.onEvent(ts));
      }
      /** Event time: no event with a timestamp <= `watermark` will come; processes what it releases. */
      advanceWatermark(watermark) {
        if (!(watermark > this.watermark)) return;
        this.pending.release(watermark, this.processAt);
        this.watermark = watermark;
        for (const r of this.runners) this.fireTimers(r, watermark);
      }
      /** Processing time: fires the window timeouts due at `now` (default: the clock). */
      advanceProcessingTime(now = this.processingTime()) {
        for (const r of this.runners) this.fireTimers(r, now);
      }
      /** The clock, never going back (a wall clock can be set back; runs are ordered by time). */
      processingTime() {
        const t = this.clock();
        if (t > this.lastProcessingTime) this.lastProcessingTime = t;
        return this.lastProcessingTime;
      }
      /** End of input in event time: releases every buffered event and closes all windows. */
      flush() {
        if (this.mode === "event") this.advanceWatermark(Number.MAX_VALUE);
        else this.advanceProcessingTime(Number.MAX_VALUE);
      }
      /** The complete state as versioned plain data (JSON-safe when events and keys are). */
      snapshot() {
        return {
          format: "cepheus-operator",
          version: 1,
          time: this.mode,
          watermark: jsonNumber(this.watermark),
          maxTimestamp: jsonNumber(this.watermarks ? this.watermarks.current() + this.watermarks.maxOutOfOrdernessMs + 1 : -Infinity),
          buffered: this.pending.entries(),
          patterns: this.runners.map((r) => ({ name: r.name, keys: [...r.keys.values()].sort((a, b) => a.seq - b.seq).map((s) => [s.key, r.nfa.snapshotState(s)]) })),
          stats: { ...this.stats }
        };
      }
      /** An operator with the given options that continues exactly where `snapshot` was taken. */
      static restore(snapshot, options) {
        if (snapshot?.format !== "cepheus-operator") throw new TypeError("restore: not a Cepheus operator snapshot");
        if (snapshot.version !== 1) throw new TypeError(`restore: unsupported snapshot version ${snapshot.version} (this build reads version 1)`);
        const op = new _CepOperator(options);
        if (snapshot.time !== op.mode) throw new TypeError(`restore: snapshot was taken in ${snapshot.time} time, operator runs in ${op.mode} time`);
        op.watermark = fromJsonNumber(snapshot.watermark);
        if (op.watermarks !== void 0) op.watermarks.onEvent(fromJsonNumber(snapshot.maxTimestamp));
        for (const b of snapshot.buffered) op.pending.add(b.ts, b.event);
        Object.assign(op.stats, snapshot.stats);
        const byName = new Map(op.runners.map((r) => [r.name, r]));
        for (const p of snapshot.patterns) {
          const r = byName.get(p.name);
          if (r === void 0) throw new TypeError(`restore: the snapshot has pattern '${p.name}', which the operator does not`);
          for (const [key, data] of p.keys) op.schedule(r, op.newKeyState(r, key, r.nfa.restoreState(data)));
        }
        return op;
      }
      processAt = (event, ts) => {
        let key;
        let keyed = false;
        const runners = this.runners;
        for (let i = 0; i < runners.length; i++) {
          const r = runners[i];
          if (r.timers.peekTime() <= ts) this.fireTimers(r, ts);
          if (r.nfa.irrelevant(event, ts)) continue;
          if (!keyed) {
            key = this.keyOf(event);
            keyed = true;
          }
          let s = r.keys.get(key);
          const created = s === void 0;
          if (s === void 0) {
            if (r.nfa.ignoredByNewRun(event, ts)) continue;
            s = this.newKeyState(r, key);
          } else if (r.deferExpiry && s.deadline <= ts) r.nfa.advanceTime(s, ts, this.matches);
          const out = r.nfa.process(s, event, ts, this.matches);
          if (out.length > 0) this.emit(r, s, ts);
          if (s.changed) this.schedule(r, s);
          else if (created) r.keys.delete(key);
        }
      };
      newKeyState(r, key, s = r.nfa.createState()) {
        s.key = key;
        s.seq = this.keySeq++;
        r.keys.set(key, s);
        return s;
      }
      /**
       * Runs advanceTime for every key whose earliest window deadline is <= `now`, in (deadline, key
       * creation) order. A timer fires only if it is still the key's timer and its deadline has not
       * moved; otherwise it is stale (dropped) or re-queued at the real deadline. That keeps the firing
       * order a function of the state alone, so a restored operator fires in the same order.
       */
      fireTimers(r, now) {
        const timers = r.timers;
        let t;
        while ((t = timers.peekTime()) <= now) {
          const s = timers.poll();
          if (t !== s.scheduled) continue;
          s.scheduled = Infinity;
          if (s.deadline <= t) {
            r.nfa.advanceTime(s, now, this.matches, this.timedOut);
            this.emit(r, s, now);
          }
          this.schedule(r, s);
        }
      }
      /** After a key's runs changed: set its timer, or drop the key once nothing is in flight. */
      schedule(r, s) {
        s.changed = false;
        if (s.isIdle()) {
          s.scheduled = Infinity;
          r.keys.delete(s.key);
          return;
        }
        if (r.deferExpiry) {
          const last2 = r.nfa.lastDeadline(s);
          if (last2 !== Infinity && (s.scheduled === Infinity || last2 > s.scheduled)) {
            s.scheduled = last2;
            r.timers.add(last2, s.seq, s);
          }
        } else if (s.deadline < s.scheduled) {
          s.scheduled = s.deadline;
          r.timers.add(s.deadline, s.seq, s);
        }
      }
      emit(r, s, timestamp) {
        const matches = this.matches;
        if (matches.length > 0) {
          const key = s.key;
          this.stats.matches += matches.length;
          for (let i = 0; i < matches.length; i++) this.options.onMatch({ pattern: r.name, key, match: matches[i], timestamp });
          matches.length = 0;
        }
        const timedOut = this.timedOut;
        if (timedOut !== void 0 && timedOut.length > 0) {
          this.stats.timeouts += timedOut.length;
          for (const t of timedOut) this.options.onTimeout({ pattern: r.name, key: s.key, match: t.match, timestamp: t.timestamp });
          timedOut.length = 0;
        }
      }
    };
  }
});

// packages/core/src/index.ts
var init_src = __esm({
  "packages/core/src/index.ts"() {
    "use strict";
    init_pattern();
    init_errors();
    init_skip_strategy();
    init_nfa_compiler();
    init_nfa();
    init_cep_operator();
    init_watermarks();
    init_event_time_buffer();
  }
});

// packages/rules/src/ast.ts
var AGGREGATES;
var init_ast = __esm({
  "packages/rules/src/ast.ts"() {
    "use strict";
    AGGREGATES = ["SUM", "COUNT", "MAX", "MIN", "AVG", "DISTINCT"];
  }
});

// packages/rules/src/errors.ts
var RuleError, SourceText;
var init_errors2 = __esm({
  "packages/rules/src/errors.ts"() {
    "use strict";
    RuleError = class extends Error {
      constructor(message, span, source, hint, rule, file) {
        super(message);
        this.span = span;
        this.hint = hint;
        this.rule = rule;
        this.file = file;
        Object.defineProperty(this, "source", { value: source, enumerable: false });
      }
      span;
      hint;
      rule;
      file;
      name = "RuleError";
      /** The error with its location, the source line and a caret under the offending text. */
      format() {
        const where = `${this.file ?? "<rules>"}:${this.span.line}:${this.span.column}`;
        const ruleText = this.rule ? ` in rule "${this.rule}"` : "";
        const lineText = this.source.split("\n")[this.span.line - 1] ?? "";
        const caret = " ".repeat(Math.max(0, this.span.column - 1)) + "^".repeat(Math.max(1, Math.min(this.span.length, lineText.length - this.span.column + 1)));
        const gutter = String(this.span.line).length;
        return [
          `error${ruleText}: ${this.message}`,
          `  --> ${where}`,
          `${" ".repeat(gutter)} |`,
          `${this.span.line} | ${lineText}`,
          `${" ".repeat(gutter)} | ${caret}`,
          ...this.hint ? [`${" ".repeat(gutter)} = hint: ${this.hint}`] : []
        ].join("\n");
      }
    };
    SourceText = class {
      constructor(text, file) {
        this.text = text;
        this.file = file;
        for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
      }
      text;
      file;
      lineStarts = [0];
      span(offset, length = 1) {
        let lo = 0;
        let hi = this.lineStarts.length - 1;
        while (lo < hi) {
          const mid = lo + hi + 1 >>> 1;
          if (this.lineStarts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
        return { offset, line: lo + 1, column: offset - this.lineStarts[lo] + 1, length };
      }
      error(message, offset, length = 1, hint, rule) {
        return new RuleError(message, this.span(offset, length), this.text, hint, rule, this.file);
      }
    };
  }
});

// packages/rules/src/lexer.ts
function tokenize(src) {
  const text = src.text;
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "	" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i])) i++;
      tokens.push({ kind: "ident", text: text.slice(start, i), offset: start, length: i - start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      if (text[i] === "." && /[0-9]/.test(text[i + 1] ?? "")) {
        i++;
        while (i < text.length && /[0-9]/.test(text[i])) i++;
      }
      tokens.push({ kind: "number", text: text.slice(start, i), offset: start, length: i - start });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let value = "";
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\n") throw src.error("unterminated string", start, i - start, `close it with ${c} on the same line`);
        if (text[i] === "\\" && i + 1 < text.length) {
          const next = text[i + 1];
          value += next === "n" ? "\n" : next === "t" ? "	" : next;
          i += 2;
          continue;
        }
        value += text[i++];
      }
      if (i >= text.length) throw src.error("unterminated string", start, i - start, `close it with ${c}`);
      i++;
      tokens.push({ kind: "string", text: value, offset: start, length: i - start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === void 0) throw src.error(`unexpected character '${c}'`, i, 1, "rules use letters, digits, quotes and the operators -> ->> , ! + * ? { } ( ) = != < <= > >=");
    tokens.push({ kind: "op", text: op, offset: i, length: op.length });
    i += op.length;
  }
  tokens.push({ kind: "eof", text: "", offset: text.length, length: 0 });
  return tokens;
}
var OPERATORS;
var init_lexer = __esm({
  "packages/rules/src/lexer.ts"() {
    "use strict";
    OPERATORS = ["->>", "->", "==", "!=", "<>", "<=", ">=", "=", "<", ">", "!", ",", "+", "-", "*", "/", "%", "?", "{", "}", "(", ")", "[", "]", ".", ":", "|"];
  }
});

// packages/rules/src/parser.ts
function parseRules(text, file) {
  return new Parser(new SourceText(text, file)).file();
}
function binary(op, left, right) {
  return { kind: "binary", op, left, right, at: left.at, len: right.at + right.len - left.at };
}
function describe2(t) {
  if (t.kind === "eof") return "the end of the file";
  if (t.kind === "string") return `the string "${t.text}"`;
  return `'${t.text}'`;
}
var KEYWORDS, CLAUSES, UNITS, Parser;
var init_parser = __esm({
  "packages/rules/src/parser.ts"() {
    "use strict";
    init_ast();
    init_errors2();
    init_lexer();
    KEYWORDS = new Set(
      "RULENAME EVENT WHERE REPEAT SAME HAVING WITHIN RETURN AFTER MATCH SKIP PAST LAST TO NEXT FIRST NO PARTITION BY AND OR NOT IN LIKE IS NULL TRUE FALSE".split(" ")
    );
    CLAUSES = ["WHERE", "REPEAT", "PARTITION", "WITHIN", "AFTER", "RETURN"];
    UNITS = { MILLISECOND: 1, SECOND: 1e3, MINUTE: 6e4, HOUR: 36e5, DAY: 864e5 };
    Parser = class {
      constructor(src) {
        this.src = src;
        this.tokens = tokenize(src);
      }
      src;
      tokens;
      pos = 0;
      rule;
      file() {
        const rules = [];
        if (this.peek().kind === "eof") throw this.fail("the file has no rule", this.peek(), 'a rule starts with RULENAME "name"');
        while (this.peek().kind !== "eof") rules.push(this.ruleDef());
        return rules;
      }
      // ---- tokens -------------------------------------------------------------------------------
      peek(ahead = 0) {
        return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
      }
      next() {
        const t = this.peek();
        if (t.kind !== "eof") this.pos++;
        return t;
      }
      isKeyword(word, t = this.peek()) {
        return t.kind === "ident" && t.text.toUpperCase() === word;
      }
      isOp(op, t = this.peek()) {
        return t.kind === "op" && t.text === op;
      }
      acceptKeyword(word) {
        return this.isKeyword(word) ? this.next() : void 0;
      }
      acceptOp(op) {
        return this.isOp(op) ? this.next() : void 0;
      }
      expectKeyword(word, hint) {
        if (!this.isKeyword(word)) throw this.fail(`expected ${word}, found ${describe2(this.peek())}`, this.peek(), hint);
        return this.next();
      }
      expectOp(op, hint) {
        if (!this.isOp(op)) throw this.fail(`expected '${op}', found ${describe2(this.peek())}`, this.peek(), hint);
        return this.next();
      }
      fail(message, at, hint) {
        return this.src.error(message, at.offset, Math.max(1, at.length), hint, this.rule);
      }
      integer(what) {
        const t = this.peek();
        if (t.kind !== "number" || !/^\d+$/.test(t.text)) throw this.fail(`expected ${what} (a whole number), found ${describe2(t)}`, t);
        this.next();
        return { value: Number(t.text), token: t };
      }
      span(startOffset) {
        const prev = this.tokens[Math.max(0, this.pos - 1)];
        return { at: startOffset, len: Math.max(1, prev.offset + prev.length - startOffset) };
      }
      // ---- rules --------------------------------------------------------------------------------
      ruleDef() {
        const start = this.peek();
        this.rule = void 0;
        this.expectKeyword("RULENAME", 'every rule starts with RULENAME "name"');
        this.acceptOp(":");
        const nameTok = this.next();
        if (nameTok.kind !== "string" && nameTok.kind !== "ident") throw this.fail(`expected the rule's name, found ${describe2(nameTok)}`, nameTok, 'write RULENAME: "my_rule"');
        this.rule = nameTok.text;
        const variables = /* @__PURE__ */ new Map();
        while (this.peek().kind === "ident" && this.isOp(":", this.peek(1)) && !KEYWORDS.has(this.peek().text.toUpperCase())) {
          const v = this.next();
          if (variables.has(v.text)) throw this.fail(`variable '${v.text}' is declared twice`, v, "give each variable its own name");
          this.next();
          const codes = [this.eventCode()];
          while (this.acceptOp("|")) codes.push(this.eventCode());
          variables.set(v.text, { codes, at: v.offset, len: v.length });
        }
        if (variables.size === 0) throw this.fail(`expected a variable declaration such as 'e1: EVENT_CODE', found ${describe2(this.peek())}`, this.peek(), "declare the events the rule uses before EVENT");
        const eventTok = this.expectKeyword("EVENT", "after the declarations comes EVENT followed by the sequence, e.g. 'EVENT e1 -> e2'");
        const sequence = this.sequence(true);
        const rule = { name: nameTok.text, at: start.offset, len: nameTok.offset + nameTok.length - start.offset, variables, sequence, eventAt: eventTok.offset, returns: [] };
        const seen = /* @__PURE__ */ new Set();
        while (this.peek().kind !== "eof" && !this.isKeyword("RULENAME")) {
          const t = this.peek();
          const word = t.kind === "ident" ? t.text.toUpperCase() : "";
          if (!CLAUSES.includes(word)) throw this.fail(`unexpected ${describe2(t)}`, t, `after EVENT come the clauses ${CLAUSES.join(", ")} (each once), or the next RULENAME`);
          if (seen.has(word)) throw this.fail(`${word} appears twice in this rule`, t, "combine the two into one clause");
          seen.add(word);
          this.next();
          if (word === "WHERE") rule.where = this.expr();
          else if (word === "REPEAT") rule.repeat = this.repeat(t.offset);
          else if (word === "PARTITION") {
            this.expectKeyword("BY", "write PARTITION BY e1.field");
            rule.partitionBy = this.exprList();
          } else if (word === "WITHIN") rule.within = this.within(t.offset);
          else if (word === "AFTER") rule.skip = this.skip();
          else rule.returns = this.returns();
        }
        return rule;
      }
      eventCode() {
        const t = this.next();
        if (t.kind !== "ident" && t.kind !== "string") throw this.fail(`expected an event code, found ${describe2(t)}`, t, "e.g. 'e1: S_SEND_MSG' or 'e1: A | B'");
        return t.text;
      }
      /** sequence := element (('->' | '->>' | ',') element)* */
      sequence(top) {
        const items = [{ link: "begin", node: this.element() }];
        for (; ; ) {
          let link;
          if (this.acceptOp("->")) link = "followedBy";
          else if (this.acceptOp("->>")) link = "followedByAny";
          else if (this.acceptOp(",")) link = "next";
          if (link === void 0) break;
          items.push({ link, node: this.element() });
        }
        if (!top && !this.isOp(")")) throw this.fail(`expected ')' or one of -> ->> , found ${describe2(this.peek())}`, this.peek());
        return items;
      }
      element() {
        const start = this.peek();
        const negated2 = this.acceptOp("!") !== void 0;
        let node;
        if (this.acceptOp("(")) {
          if (negated2) throw this.fail("a group cannot be negated", start, "negate single variables: a -> !b -> c");
          const items = this.sequence(false);
          this.expectOp(")");
          node = { kind: "group", items, ...this.span(start.offset) };
        } else {
          const v = this.next();
          if (v.kind !== "ident" || KEYWORDS.has(v.text.toUpperCase())) throw this.fail(`expected a variable in the EVENT sequence, found ${describe2(v)}`, v, "the sequence names declared variables: EVENT e1 -> e2");
          node = { kind: "step", variable: v.text, negated: negated2, ...this.span(start.offset) };
        }
        const q = this.quantifier();
        if (q) node.quantifier = q;
        return node;
      }
      quantifier() {
        if (this.acceptOp("+")) return { kind: "oneOrMore" };
        if (this.acceptOp("*")) return { kind: "zeroOrMore" };
        if (this.acceptOp("?")) return { kind: "optional" };
        if (!this.acceptOp("{")) return void 0;
        const from = this.integer("a repetition count").value;
        let to = from;
        if (this.acceptOp(",")) to = this.peek().kind === "number" ? this.integer("an upper bound").value : null;
        this.expectOp("}", "quantifiers are {n}, {n,} or {n,m}");
        return { kind: "times", from, to };
      }
      repeat(at) {
        const min = this.integer("the number of repetitions");
        let max = min.value;
        if (this.acceptOp("+")) max = null;
        else if (this.isOp(".") && this.isOp(".", this.peek(1))) {
          this.next();
          this.next();
          max = this.integer("the maximum repetitions").value;
        }
        const same = this.acceptKeyword("SAME") ? this.exprList() : [];
        const having = this.acceptKeyword("HAVING") ? this.expr() : void 0;
        return { min: min.value, max, same, having, ...this.span(at) };
      }
      within(at) {
        const n = this.peek();
        if (n.kind !== "number") throw this.fail(`expected a duration after WITHIN, found ${describe2(n)}`, n, "e.g. WITHIN 10 MINUTE");
        this.next();
        const unitTok = this.next();
        const unit = unitTok.kind === "ident" ? unitTok.text.toUpperCase().replace(/S$/, "") : "";
        if (!(unit in UNITS)) throw this.fail(`unknown time unit ${describe2(unitTok)}`, unitTok, `use ${Object.keys(UNITS).join(", ")} (plural accepted)`);
        return { ms: Number(n.text) * UNITS[unit], ...this.span(at) };
      }
      skip() {
        this.expectKeyword("MATCH", "write AFTER MATCH SKIP PAST LAST EVENT");
        if (this.acceptKeyword("NO")) {
          this.expectKeyword("SKIP");
          return { kind: "noSkip" };
        }
        this.expectKeyword("SKIP", "AFTER MATCH SKIP PAST LAST EVENT | TO NEXT | TO FIRST v | TO LAST v, or AFTER MATCH NO SKIP");
        if (this.acceptKeyword("PAST")) {
          this.expectKeyword("LAST");
          this.expectKeyword("EVENT");
          return { kind: "pastLastEvent" };
        }
        this.expectKeyword("TO", "AFTER MATCH SKIP PAST LAST EVENT | TO NEXT | TO FIRST v | TO LAST v");
        if (this.acceptKeyword("NEXT")) {
          this.acceptKeyword("ROW");
          return { kind: "toNext" };
        }
        const which2 = this.acceptKeyword("FIRST") ? "toFirst" : this.acceptKeyword("LAST") ? "toLast" : void 0;
        if (!which2) throw this.fail(`expected NEXT, FIRST or LAST, found ${describe2(this.peek())}`, this.peek());
        const v = this.next();
        if (v.kind !== "ident") throw this.fail(`expected a variable, found ${describe2(v)}`, v);
        return { kind: which2, variable: v.text, at: v.offset, len: v.length };
      }
      returns() {
        const out = [];
        do {
          const alias = this.next();
          if (alias.kind !== "ident") throw this.fail(`expected an output field name, found ${describe2(alias)}`, alias, "RETURN name=expression, ...");
          this.expectOp("=", "RETURN name=expression, ...");
          const expr = this.expr();
          out.push({ alias: alias.text, expr, at: alias.offset, len: expr.at + expr.len - alias.offset });
        } while (this.acceptOp(","));
        return out;
      }
      exprList() {
        const list = [this.expr()];
        while (this.acceptOp(",")) list.push(this.expr());
        return list;
      }
      // ---- expressions --------------------------------------------------------------------------
      expr() {
        return this.infix((t) => this.isKeyword("OR", t) ? "OR" : void 0, () => this.and());
      }
      and() {
        return this.infix((t) => this.isKeyword("AND", t) ? "AND" : void 0, () => this.not());
      }
      /** Left-associative binary operators over `operand`; `operator` recognizes the operator token. */
      infix(operator, operand) {
        let left = operand();
        for (let op = operator(this.peek()); op !== void 0; op = operator(this.peek())) {
          this.next();
          left = binary(op, left, operand());
        }
        return left;
      }
      not() {
        return this.prefix("NOT", () => this.acceptKeyword("NOT"), () => this.not(), () => this.comparison());
      }
      /** A prefix operator applied to `operand`, or else `otherwise`. */
      prefix(op, accept, operand, otherwise) {
        const t = this.peek();
        if (!accept()) return otherwise();
        const arg = operand();
        return { kind: "unary", op, arg, at: t.offset, len: arg.at + arg.len - t.offset };
      }
      comparison() {
        const left = this.additive();
        const t = this.peek();
        const ops = { "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
        if (t.kind === "op" && t.text in ops) {
          this.next();
          return binary(ops[t.text], left, this.additive());
        }
        const negated2 = this.isKeyword("NOT") && (this.isKeyword("IN", this.peek(1)) || this.isKeyword("LIKE", this.peek(1)));
        if (negated2) this.next();
        if (this.acceptKeyword("IN")) {
          this.expectOp("(", "IN takes a list: x IN ('a', 'b')");
          const list = this.exprList();
          this.expectOp(")");
          return { kind: "in", arg: left, list, negated: negated2, ...this.span(left.at) };
        }
        if (this.acceptKeyword("LIKE")) return { kind: "like", arg: left, pattern: this.additive(), negated: negated2, ...this.span(left.at) };
        if (this.acceptKeyword("IS")) {
          const neg = this.acceptKeyword("NOT") !== void 0;
          this.expectKeyword("NULL", "write IS NULL or IS NOT NULL");
          return { kind: "isNull", arg: left, negated: neg, ...this.span(left.at) };
        }
        return left;
      }
      additive() {
        return this.infix((t) => this.isOp("+", t) || this.isOp("-", t) ? t.text : void 0, () => this.multiplicative());
      }
      multiplicative() {
        return this.infix((t) => this.isOp("*", t) || this.isOp("/", t) || this.isOp("%", t) ? t.text : void 0, () => this.unary());
      }
      unary() {
        return this.prefix("-", () => this.acceptOp("-"), () => this.unary(), () => this.primary());
      }
      primary() {
        const t = this.next();
        if (t.kind === "number") return { kind: "literal", value: Number(t.text), at: t.offset, len: t.length };
        if (t.kind === "string") return { kind: "literal", value: t.text, at: t.offset, len: t.length };
        if (t.kind === "op" && t.text === "(") {
          const e = this.expr();
          this.expectOp(")");
          return e;
        }
        if (t.kind !== "ident") throw this.fail(`expected a value, found ${describe2(t)}`, t);
        const word = t.text.toUpperCase();
        if (word === "TRUE" || word === "FALSE") return { kind: "literal", value: word === "TRUE", at: t.offset, len: t.length };
        if (word === "NULL") return { kind: "literal", value: null, at: t.offset, len: t.length };
        if (this.isOp("(")) {
          if (!AGGREGATES.includes(word)) throw this.fail(`unknown function ${t.text}`, t, `the functions are ${AGGREGATES.join(", ")}`);
          this.next();
          const arg = this.expr();
          this.expectOp(")", `${word} takes one argument`);
          return { kind: "call", fn: word, arg, ...this.span(t.offset) };
        }
        if (KEYWORDS.has(word)) throw this.fail(`expected a value, found the keyword ${t.text}`, t);
        const path = [];
        for (; ; ) {
          if (this.acceptOp(".")) {
            const f = this.next();
            if (f.kind !== "ident") throw this.fail(`expected a field name after '.', found ${describe2(f)}`, f);
            path.push(f.text);
          } else if (this.acceptOp("[")) {
            const f = this.next();
            if (f.kind !== "ident" && f.kind !== "string") throw this.fail(`expected a key inside [ ], found ${describe2(f)}`, f, "e.extra_info['key'] or e.extra_info[key]");
            this.expectOp("]");
            path.push(f.text);
          } else break;
        }
        const span = this.span(t.offset);
        return path.length === 0 ? { kind: "variable", variable: t.text, ...span } : { kind: "field", variable: t.text, path, ...span };
      }
    };
  }
});

// packages/rules/src/expressions.ts
function compileExpr(e, calls = aggregateCalls(e)) {
  const sub = (x) => compileExpr(x, calls);
  switch (e.kind) {
    case "literal": {
      const v = e.value;
      return () => v;
    }
    case "variable": {
      const v = e.variable;
      return (env) => env.current(v);
    }
    case "field": {
      const { variable, path } = e;
      return (env) => readPath(env.current(variable), path);
    }
    case "unary": {
      const arg = sub(e.arg);
      return e.op === "NOT" ? (env) => !truthy(arg(env)) : (env) => -toNumber(arg(env));
    }
    case "binary":
      return binary2(e.op, sub(e.left), sub(e.right));
    case "in": {
      const arg = sub(e.arg);
      const list = e.list.map(sub);
      const negated2 = e.negated;
      return (env) => {
        const v = arg(env);
        if (v === void 0 || v === null) return false;
        return list.some((x) => equals(v, x(env))) !== negated2;
      };
    }
    case "like": {
      const arg = sub(e.arg);
      const pattern = sub(e.pattern);
      const negated2 = e.negated;
      let cache;
      return (env) => {
        const v = arg(env);
        const p = pattern(env);
        if (v === void 0 || v === null || typeof p !== "string") return false;
        if (cache?.p !== p) cache = { p, re: likeToRegExp(p) };
        return cache.re.test(String(v)) !== negated2;
      };
    }
    case "isNull": {
      const arg = sub(e.arg);
      const negated2 = e.negated;
      return (env) => {
        const v = arg(env);
        return (v === void 0 || v === null) !== negated2;
      };
    }
    case "call": {
      const computed = aggregate(e.fn, e.arg);
      const index = calls.indexOf(e);
      return (env) => env.aggregate !== void 0 ? env.aggregate(index) : computed(env);
    }
  }
}
function children(e) {
  switch (e.kind) {
    case "unary":
    case "isNull":
    case "call":
      return [e.arg];
    case "binary":
      return [e.left, e.right];
    case "in":
      return [e.arg, ...e.list];
    case "like":
      return [e.arg, e.pattern];
    default:
      return [];
  }
}
function walk(e, visit, inCall = false) {
  visit(e, inCall);
  for (const c of children(e)) walk(c, visit, inCall || e.kind === "call");
}
function variablesOf(e) {
  const out = [];
  walk(e, (x) => {
    if ((x.kind === "variable" || x.kind === "field") && !out.includes(x.variable)) out.push(x.variable);
  });
  return out;
}
function aggregateCalls(e) {
  const out = [];
  walk(e, (x, inCall) => {
    if (x.kind === "call" && !inCall) out.push(x);
  });
  return out;
}
function findAggregate(e) {
  return aggregateCalls(e)[0];
}
function aggregate(fn, argExpr) {
  const variable = variablesOf(argExpr)[0];
  const arg = compileExpr(argExpr);
  const isCount = fn === "COUNT" && argExpr.kind === "variable";
  return (env) => {
    if (variable === void 0) return null;
    const events = env.events(variable);
    if (isCount) return events.length;
    const values = [];
    for (const ev of events) {
      const v = arg(singleEnv(env, variable, ev));
      if (v !== void 0 && v !== null) values.push(v);
    }
    switch (fn) {
      case "COUNT":
        return values.length;
      case "DISTINCT":
        return new Set(values.map((v) => typeof v === "object" ? JSON.stringify(v) : v)).size;
      case "SUM":
        return values.reduce((s, v) => s + toNumber(v), 0);
      case "AVG":
        return values.length === 0 ? null : values.reduce((s, v) => s + toNumber(v), 0) / values.length;
      case "MAX":
        return values.length === 0 ? null : values.reduce((a, b) => compare(b, a) > 0 ? b : a);
      case "MIN":
        return values.length === 0 ? null : values.reduce((a, b) => compare(b, a) < 0 ? b : a);
    }
  };
}
function singleEnv(outer, variable, event) {
  return {
    current: (v) => v === variable ? event : outer.current(v),
    events: (v) => outer.events(v)
  };
}
function binary2(op, l, r) {
  switch (op) {
    case "AND":
      return (env) => truthy(l(env)) && truthy(r(env));
    case "OR":
      return (env) => truthy(l(env)) || truthy(r(env));
    case "=":
      return (env) => {
        const a = l(env);
        const b = r(env);
        return a !== void 0 && a !== null && b !== void 0 && b !== null && equals(a, b);
      };
    case "!=":
      return (env) => {
        const a = l(env);
        const b = r(env);
        return a !== void 0 && a !== null && b !== void 0 && b !== null && !equals(a, b);
      };
    case "<":
      return (env) => compareNonNull(l(env), r(env), (c) => c < 0);
    case "<=":
      return (env) => compareNonNull(l(env), r(env), (c) => c <= 0);
    case ">":
      return (env) => compareNonNull(l(env), r(env), (c) => c > 0);
    case ">=":
      return (env) => compareNonNull(l(env), r(env), (c) => c >= 0);
    case "+":
      return (env) => toNumber(l(env)) + toNumber(r(env));
    case "-":
      return (env) => toNumber(l(env)) - toNumber(r(env));
    case "*":
      return (env) => toNumber(l(env)) * toNumber(r(env));
    case "/":
      return (env) => toNumber(l(env)) / toNumber(r(env));
    default:
      return (env) => toNumber(l(env)) % toNumber(r(env));
  }
}
function readPath(value, path) {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, key)) return void 0;
    v = v[key];
  }
  return v;
}
function truthy(v) {
  return v === true || v !== false && v !== null && v !== void 0 && v !== 0 && v !== "" && !Number.isNaN(v);
}
function toNumber(v) {
  return typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "boolean" ? Number(v) : NaN;
}
function equals(a, b) {
  if (a === b) return true;
  if (typeof a === "number" || typeof b === "number") return toNumber(a) === toNumber(b);
  return String(a) === String(b);
}
function compare(a, b) {
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}
function compareNonNull(a, b, test) {
  if (a === void 0 || a === null || b === void 0 || b === null) return false;
  return test(compare(a, b));
}
function likeToRegExp(p) {
  let re = "^";
  for (const ch of p) re += ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(re + "$", "s");
}
var init_expressions = __esm({
  "packages/rules/src/expressions.ts"() {
    "use strict";
  }
});

// packages/rules/src/window-aggregates.ts
function windowAggregates(calls, recompute) {
  const makers = calls.map((call, index) => accumulator(call, (events) => recompute(index, events)));
  return () => {
    const accs = makers.map((m) => m());
    return {
      add: (e) => {
        for (const a of accs) a.add(e);
      },
      remove: (e) => {
        for (const a of accs) a.remove(e);
      },
      value: (index, events) => accs[index].value(events)
    };
  };
}
function accumulator(call, recompute) {
  const variable = variablesOf(call.arg)[0];
  const a = call.arg;
  let valueOf;
  if (a.kind === "field" && a.variable === variable) {
    const path = a.path;
    valueOf = (e) => readPath(e, path);
  } else {
    const arg = compileExpr(a);
    let cur;
    const env = { current: (v) => v === variable ? cur : void 0, events: () => cur === void 0 ? [] : [cur] };
    valueOf = (e) => {
      cur = e;
      return arg(env);
    };
  }
  const present = (v) => v !== void 0 && v !== null;
  switch (call.fn) {
    case "COUNT":
      if (call.arg.kind === "variable") {
        return () => {
          let n = 0;
          return { add: () => void n++, remove: () => void n--, value: () => n };
        };
      }
      return () => {
        let n = 0;
        return { add: (e) => void (present(valueOf(e)) && n++), remove: (e) => void (present(valueOf(e)) && n--), value: () => n };
      };
    case "DISTINCT":
      return () => {
        const latest = /* @__PURE__ */ new Map();
        let added = 0;
        let removed = 0;
        const key = (v) => typeof v === "object" ? JSON.stringify(v) : v;
        return {
          add: (e) => {
            const v = valueOf(e);
            if (present(v)) latest.set(key(v), added++);
          },
          remove: (e) => {
            const v = valueOf(e);
            if (!present(v)) return;
            const k = key(v);
            if (latest.get(k) === removed++) latest.delete(k);
          },
          value: () => latest.size
        };
      };
    case "SUM":
    case "AVG": {
      const avg = call.fn === "AVG";
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (e) => {
            const v = valueOf(e);
            if (!present(v)) return;
            sum += toNumber(v);
            n++;
          },
          remove: (e) => {
            const v = valueOf(e);
            if (!present(v)) return;
            sum -= toNumber(v);
            n--;
          },
          value: (events) => avg ? n === 0 ? null : sum / n : Number.isFinite(sum) ? sum : recompute(events)
        };
      };
    }
    default:
      return () => ({ add: () => {
      }, remove: () => {
      }, value: recompute });
  }
}
var init_window_aggregates = __esm({
  "packages/rules/src/window-aggregates.ts"() {
    "use strict";
    init_expressions();
  }
});

// packages/rules/src/compile.ts
function compileAsts(rules, src) {
  const names = /* @__PURE__ */ new Set();
  return rules.map((r) => {
    if (names.has(r.name)) throw src.error(`two rules are named "${r.name}"`, r.at, r.len, "rule names must be unique: they become the output event_code", r.name);
    names.add(r.name);
    return new RuleCompiler(src, r).compile();
  });
}
function isRepeating(q) {
  return q !== void 0 && (q.kind === "oneOrMore" || q.kind === "zeroOrMore" || q.kind === "times" && (q.to === null || q.to > 1));
}
function applyQuantifier(p, q) {
  if (!q) return "";
  switch (q.kind) {
    case "oneOrMore":
      p.oneOrMore();
      return ".oneOrMore()";
    case "zeroOrMore":
      p.oneOrMore().optional();
      return ".oneOrMore().optional()";
    case "optional":
      p.optional();
      return ".optional()";
    case "times":
      if (q.to === null) {
        p.timesOrMore(q.from);
        return `.timesOrMore(${q.from})`;
      }
      if (q.to === q.from) {
        p.times(q.from);
        return `.times(${q.from})`;
      }
      p.times(q.from, q.to);
      return `.times(${q.from}, ${q.to})`;
  }
}
function sequenceVariables(items, out = []) {
  for (const { node } of items) {
    if (node.kind === "group") sequenceVariables(node.items, out);
    else out.push(node.variable);
  }
  return out;
}
function conditionsByVariable(rule, order = sequenceVariables(rule.sequence)) {
  const byVariable = /* @__PURE__ */ new Map();
  if (!rule.where) return byVariable;
  for (const c of conjuncts(rule.where)) {
    const vars = variablesOf(c);
    const target = vars.length === 0 ? order[0] : order.filter((v) => vars.includes(v)).pop() ?? order[0];
    if (!byVariable.has(target)) byVariable.set(target, []);
    byVariable.get(target).push(c);
  }
  return byVariable;
}
function conjuncts(e) {
  return e.kind === "binary" && e.op === "AND" ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}
function keyOf(paths) {
  if (paths.length === 1) {
    const p = paths[0];
    return (e) => canonicalKey(readPath(e, p));
  }
  return (e) => paths.map((p) => String(readPath(e, p) ?? "")).join("|");
}
function canonicalKey(v) {
  if (typeof v === "number" && v >>> 0 === v && v < 2147483648) return v;
  const s = String(v ?? "");
  const n = s.length;
  if (n === 0 || n > 10 || n > 1 && s.charCodeAt(0) === 48) return s;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return s;
  }
  const x = Number(s);
  return x < 2147483648 ? x : s;
}
var last, RuleCompiler;
var init_compile2 = __esm({
  "packages/rules/src/compile.ts"() {
    "use strict";
    init_src();
    init_errors2();
    init_expressions();
    init_window_aggregates();
    last = (xs) => {
      let v;
      for (const x of xs) v = x;
      return v;
    };
    RuleCompiler = class {
      constructor(src, rule) {
        this.src = src;
        this.rule = rule;
      }
      src;
      rule;
      /** Sequence variables in order, and whether each may take several events. */
      order = [];
      repeated = /* @__PURE__ */ new Set();
      conditions = /* @__PURE__ */ new Map();
      fail(message, at, hint) {
        return this.src.error(message, at.at, at.len, hint, this.rule.name);
      }
      compile() {
        const r = this.rule;
        this.collectVariables(r.sequence, false);
        for (const [name, decl] of r.variables) {
          if (!this.order.includes(name)) throw this.fail(`variable '${name}' is declared but not used in EVENT`, decl, "use it in the EVENT sequence or remove the declaration");
        }
        this.attachWhere();
        const { key, keyDescription } = this.partitionKey();
        const codes = new Set([...r.variables.values()].flatMap((v) => v.codes));
        const returns = r.returns.map((f) => {
          this.checkVariables(f.expr);
          return { alias: f.alias, eval: compileExpr(f.expr) };
        });
        const output = (match, k) => {
          let time = -Infinity;
          for (const evs of match.values()) for (const e of evs) if (e.event_time > time) time = e.event_time;
          const env = { current: (v) => last(match.get(v) ?? []), events: (v) => match.get(v) ?? [] };
          const extra = {};
          for (const f of returns) extra[f.alias] = f.eval(env);
          return { event_code: r.name, event_time: time, user_id: String(k), extra_info: extra };
        };
        const skipText = this.skipText();
        const base = { name: r.name, codes, key, keyDescription, skip: skipText, withinMs: r.within?.ms, output };
        if (r.repeat) return { ...base, kind: "repeat", repeat: this.repeatSpec(), patternText: this.repeatText() };
        const { pattern, text } = this.buildPattern();
        return { ...base, kind: "nfa", pattern, patternText: text };
      }
      collectVariables(items, inLoop) {
        for (const { node } of items) {
          const loop = inLoop || isRepeating(node.quantifier);
          if (node.kind === "group") this.collectVariables(node.items, loop);
          else {
            if (!this.rule.variables.has(node.variable)) {
              throw this.fail(`unknown variable '${node.variable}'`, node, `declare it before EVENT, e.g. '${node.variable}: EVENT_CODE'`);
            }
            if (this.order.includes(node.variable)) throw this.fail(`variable '${node.variable}' appears twice in EVENT`, node, "declare a second variable for the same event code: e3: SAME_CODE");
            if (node.negated && node.quantifier) throw this.fail("a negated variable cannot have a quantifier", node);
            this.order.push(node.variable);
            if (loop) this.repeated.add(node.variable);
          }
        }
      }
      checkVariables(e) {
        walk(e, (x, inCall) => {
          if (x.kind === "field" || x.kind === "variable") {
            if (!this.rule.variables.has(x.variable)) {
              const known = [...this.rule.variables.keys()].join(", ");
              throw this.fail(`unknown variable '${x.variable}'`, x, `the rule's variables are ${known}; fields are written variable.field`);
            }
            if (x.kind === "variable" && !inCall) throw this.fail(`'${x.variable}' is a variable, not a value`, x, `use a field such as ${x.variable}.user_id, or COUNT(${x.variable})`);
          } else if (x.kind === "call" && inCall) {
            throw this.fail("aggregates cannot be nested", x);
          }
        });
      }
      /** Each WHERE conjunct becomes a condition of the last sequence variable it mentions. */
      attachWhere() {
        const where = this.rule.where;
        if (!where) return;
        for (const c of conjuncts(where)) {
          this.checkVariables(c);
          const agg = findAggregate(c);
          if (agg && !this.rule.repeat) {
            const v = variablesOf(agg.arg)[0];
            if (v !== void 0 && !this.repeated.has(v)) throw this.fail(`aggregate over '${v}', which takes a single event`, agg, `aggregates apply to repeated variables (${v}+, ${v}{n}) or to REPEAT rules`);
          }
          if (agg && this.rule.repeat) throw this.fail("aggregates of a REPEAT rule belong in HAVING", agg, "move it to HAVING");
        }
        for (const [v, exprs] of conditionsByVariable(this.rule, this.order)) this.conditions.set(v, exprs);
      }
      conditionFor(variable) {
        const codes = this.rule.variables.get(variable).codes;
        const codeOk = codes.length === 1 ? (e) => e.event_code === codes[0] : (e) => codes.includes(e.event_code);
        const exprs = this.conditions.get(variable) ?? [];
        if (exprs.length === 0) return codeOk;
        const local = [];
        const iterative = [];
        for (const x of exprs) {
          const uses = variablesOf(x);
          (uses.every((v) => v === variable) && !findAggregate(x) ? local : iterative).push(compileExpr(x));
        }
        let cur;
        let runCtx;
        const localEnv = { current: () => cur, events: () => cur === void 0 ? [] : [cur] };
        const iterativeEnv = {
          current: (v) => v === variable ? cur : last(runCtx.getEventsForPattern(v)),
          events: (v) => v === variable ? [...runCtx.getEventsForPattern(v), cur] : [...runCtx.getEventsForPattern(v)]
        };
        return (e, ctx) => {
          if (!codeOk(e)) return false;
          if (local.length > 0) {
            cur = e;
            for (const f of local) if (f(localEnv) !== true) return false;
          }
          if (iterative.length > 0) {
            cur = e;
            runCtx = ctx;
            for (const f of iterative) if (f(iterativeEnv) !== true) return false;
          }
          return true;
        };
      }
      buildPattern() {
        const r = this.rule;
        const skip = this.skipStrategy();
        try {
          const build = (items, top) => {
            let p2;
            let text2 = "";
            for (const { link, node } of items) {
              if (node.kind === "group") {
                const inner = build(node.items, false);
                p2 = p2 === void 0 ? top ? Pattern.begin(inner.p, skip) : Pattern.begin(inner.p) : p2[link === "begin" ? "next" : link](inner.p);
                text2 += p2 === void 0 || text2 === "" ? `Pattern.begin(${inner.text})` : `.${link}(${inner.text})`;
              } else if (node.negated) {
                if (p2 === void 0) throw this.fail("a sequence cannot start with a negated variable", node, 'negation means "not between": a -> !b -> c');
                if (link === "followedByAny") throw this.fail("'->>' cannot be followed by a negated variable", node, "use '->' (notFollowedBy) or ',' (notNext)");
                p2 = link === "next" ? p2.notNext(node.variable) : p2.notFollowedBy(node.variable);
                p2.where(this.conditionFor(node.variable));
                text2 += `.${link === "next" ? "notNext" : "notFollowedBy"}('${node.variable}')`;
              } else {
                p2 = p2 === void 0 ? top ? Pattern.begin(node.variable, skip) : Pattern.begin(node.variable) : p2[link === "begin" ? "next" : link](node.variable);
                p2.where(this.conditionFor(node.variable));
                text2 += text2 === "" ? `Pattern.begin('${node.variable}'${top ? `, ${this.skipText()}` : ""})` : `.${link}('${node.variable}')`;
                text2 += `.where(${this.conditionText(node.variable)})`;
              }
              text2 += applyQuantifier(p2, node.quantifier);
            }
            return { p: p2, text: text2 };
          };
          const { p, text } = build(r.sequence, true);
          let full = text;
          if (r.within) {
            p.within(r.within.ms);
            full += `.within(${r.within.ms})`;
          }
          compilePattern(p);
          return { pattern: p, text: full };
        } catch (e) {
          if (e instanceof MalformedPatternError) throw this.fail(`invalid pattern: ${e.message}`, { at: r.eventAt, len: 5 }, "see the EVENT sequence mapping in docs/rules.md");
          throw e;
        }
      }
      conditionText(variable) {
        const codes = this.rule.variables.get(variable).codes;
        const n = (this.conditions.get(variable) ?? []).length;
        return `event_code in [${codes.join(", ")}]${n ? ` and ${n} WHERE condition${n > 1 ? "s" : ""}` : ""}`;
      }
      skipStrategy() {
        const s = this.rule.skip;
        if (!s || s.kind === "pastLastEvent") return AfterMatchSkipStrategy.skipPastLastEvent();
        if (s.kind === "toNext") return AfterMatchSkipStrategy.skipToNext();
        if (s.kind === "noSkip") return AfterMatchSkipStrategy.noSkip();
        if (!this.order.includes(s.variable)) throw this.fail(`unknown variable '${s.variable}'`, s, `skip to one of ${this.order.join(", ")}`);
        return s.kind === "toFirst" ? AfterMatchSkipStrategy.skipToFirst(s.variable) : AfterMatchSkipStrategy.skipToLast(s.variable);
      }
      skipText() {
        const s = this.rule.skip;
        if (!s || s.kind === "pastLastEvent") return "skipPastLastEvent()";
        if (s.kind === "toNext") return "skipToNext()";
        if (s.kind === "noSkip") return "noSkip()";
        return `${s.kind === "toFirst" ? "skipToFirst" : "skipToLast"}('${s.variable}')`;
      }
      /** PARTITION BY or SAME; else equalities in WHERE that connect every variable; else user_id. */
      partitionKey() {
        const r = this.rule;
        const explicit = r.partitionBy ?? (r.repeat && r.repeat.same.length > 0 ? r.repeat.same : void 0);
        if (explicit) {
          const paths = explicit.map((x) => {
            if (findAggregate(x)) throw this.fail("an aggregate cannot be a partition key", x);
            if (x.kind !== "field") throw this.fail("a partition key must be a field such as e1.user_id", x);
            this.checkVariables(x);
            return x.path;
          });
          return { key: keyOf(paths), keyDescription: `${paths.map((p) => p.join(".")).join(", ")} (${r.partitionBy ? "PARTITION BY" : "SAME"})` };
        }
        const inferred = this.inferKey();
        if (inferred) return { key: keyOf([inferred]), keyDescription: `${inferred.join(".")} (inferred from WHERE equalities joining every variable)` };
        return { key: keyOf([["user_id"]]), keyDescription: "user_id (default)" };
      }
      inferKey() {
        if (!this.rule.where || this.order.length < 2) return void 0;
        const byPath = /* @__PURE__ */ new Map();
        for (const c of conjuncts(this.rule.where)) {
          if (c.kind === "binary" && c.op === "=" && c.left.kind === "field" && c.right.kind === "field" && c.left.variable !== c.right.variable) {
            const a = c.left.path.join(".");
            if (a !== c.right.path.join(".")) continue;
            if (!byPath.has(a)) byPath.set(a, []);
            byPath.get(a).push([c.left.variable, c.right.variable]);
          }
        }
        for (const [path, edges] of byPath) {
          const reached = /* @__PURE__ */ new Set([this.order[0]]);
          for (let changed = true; changed; ) {
            changed = false;
            for (const [a, b] of edges) {
              if (reached.has(a) !== reached.has(b)) {
                reached.add(a);
                reached.add(b);
                changed = true;
              }
            }
          }
          if (this.order.every((v) => reached.has(v))) return path.split(".");
        }
        return void 0;
      }
      repeatSpec() {
        const r = this.rule;
        const rep = r.repeat;
        const seq = r.sequence;
        if (seq.length !== 1 || seq[0].node.kind !== "step" || seq[0].node.negated || seq[0].node.quantifier) {
          throw this.fail("REPEAT applies to a single variable", rep, "write EVENT e1 and REPEAT n+ ...; use quantifiers (e1{3}) for sequences");
        }
        if (!r.within) throw this.fail("REPEAT needs a WITHIN window", rep, "e.g. WITHIN 10 MINUTE");
        if (rep.max !== null && rep.max < rep.min) throw this.fail(`REPEAT ${rep.min}..${rep.max}: the maximum is below the minimum`, rep);
        const variable = seq[0].node.variable;
        const cond = this.conditionFor(variable);
        const noCtx = { getEventsForPattern: () => [], timestamp: () => 0 };
        let having = () => true;
        let havingOver = () => true;
        let newAggregates = windowAggregates([], () => void 0);
        if (rep.having) {
          this.checkVariables(rep.having);
          const calls = aggregateCalls(rep.having);
          const h = compileExpr(rep.having, calls);
          const recompute = calls.map((c) => compileExpr(c));
          newAggregates = windowAggregates(calls, (i, events2) => recompute[i]({ current: () => events2[events2.length - 1], events: () => events2 }));
          let last2;
          let events = () => [];
          let aggs;
          const env = { current: () => last2, events: () => events(), aggregate: (i) => aggs.value(i, events()) };
          having = (l, evs, a) => {
            last2 = l;
            events = evs;
            aggs = a;
            return h(env) === true;
          };
          const plain = compileExpr(rep.having);
          havingOver = (evs) => plain({ current: () => evs[evs.length - 1], events: () => evs }) === true;
        }
        return { variable, min: rep.min, max: rep.max, withinMs: r.within.ms, accepts: (e) => cond(e, noCtx), newAggregates, having, havingOver };
      }
      repeatText() {
        const rep = this.rule.repeat;
        return `windowed aggregation: per key, the events of '${this.order[0]}' in the last ${this.rule.within.ms} ms; fires when there are ${rep.min}${rep.max === null ? " or more" : `..${rep.max}`}${rep.having ? " and HAVING holds" : ""}, then the window restarts`;
      }
    };
  }
});

// packages/rules/src/rules.ts
function compileRules(text, file) {
  return compileAsts(parseRules(text, file), new SourceText(text, file));
}
var init_rules = __esm({
  "packages/rules/src/rules.ts"() {
    "use strict";
    init_compile2();
    init_errors2();
    init_parser();
  }
});

// packages/rules/src/json.ts
function rulesToJson(rules) {
  return { format: "cepheus-rules", version: 1, rules: rules.map(ruleToJson) };
}
function ruleToJson(r) {
  const conditions = conditionsByVariable(r);
  let groups = 0;
  const graph = (items) => {
    const nodes = [];
    const edges = [];
    items.forEach(({ link, node }, i) => {
      const strategy = node.kind === "step" && node.negated ? link === "next" ? "NOT_NEXT" : "NOT_FOLLOW" : LINKS[link];
      const quantifier = quantifierJson(strategy, node.quantifier);
      let json;
      if (node.kind === "group") {
        json = { name: `group_${++groups}`, type: "COMPOSITE", quantifier, ...graph(node.items) };
      } else {
        const exprs = conditions.get(node.variable) ?? [];
        const expression = exprs.length === 0 ? null : stripPositions(exprs.reduce((a, b) => ({ kind: "binary", op: "AND", left: a, right: b, at: 0, len: 0 })));
        json = { name: node.variable, type: "ATOMIC", quantifier, condition: { type: "CEPHEUS_EXPR", eventCodes: r.variables.get(node.variable).codes, expression } };
      }
      if (i > 0) edges.push({ source: nodes[i - 1].name, target: json.name, type: strategy });
      nodes.push(json);
    });
    return { nodes, edges };
  };
  const skip = r.skip ?? { kind: "pastLastEvent" };
  const skipType = { pastLastEvent: "SKIP_PAST_LAST_EVENT", toNext: "SKIP_TO_NEXT", noSkip: "NO_SKIP", toFirst: "SKIP_TO_FIRST", toLast: "SKIP_TO_LAST" };
  return {
    name: r.name,
    type: "COMPOSITE",
    ...graph(r.sequence),
    window: r.within ? { type: "FIRST_AND_LAST", time: { unit: "MILLISECONDS", size: r.within.ms } } : null,
    afterMatchStrategy: { type: skipType[skip.kind], patternName: skip.kind === "toFirst" || skip.kind === "toLast" ? skip.variable : null },
    partitionBy: r.partitionBy ? r.partitionBy.map(stripPositions) : null,
    repeat: r.repeat ? { min: r.repeat.min, max: r.repeat.max, same: r.repeat.same.map(stripPositions), having: r.repeat.having ? stripPositions(r.repeat.having) : null } : null,
    returns: r.returns.map((f) => ({ name: f.alias, expression: stripPositions(f.expr) }))
  };
}
function quantifierJson(strategy, q) {
  const base = { consumingStrategy: strategy, untilCondition: null };
  if (!q) return { ...base, properties: ["SINGLE"], times: null };
  switch (q.kind) {
    case "oneOrMore":
      return { ...base, properties: ["LOOPING"], times: { from: 1, to: null } };
    case "zeroOrMore":
      return { ...base, properties: ["LOOPING", "OPTIONAL"], times: { from: 1, to: null } };
    case "optional":
      return { ...base, properties: ["SINGLE", "OPTIONAL"], times: null };
    case "times":
      return { ...base, properties: [q.to === null ? "LOOPING" : "TIMES"], times: { from: q.from, to: q.to } };
  }
}
function loadRulesJson(doc) {
  const asts = rulesFromJson(typeof doc === "string" ? JSON.parse(doc) : doc);
  return compileAsts(asts, new SourceText("<rules loaded from JSON>", "rules.json"));
}
function rulesFromJson(doc) {
  const d = doc;
  if (d?.format !== "cepheus-rules") throw new JsonShapeError('not a Cepheus rules document (format must be "cepheus-rules")');
  if (d.version !== 1) throw new JsonShapeError(`unsupported rules document version ${String(d.version)} (this build reads version 1)`);
  if (!Array.isArray(d.rules)) throw new JsonShapeError("rules must be an array");
  return d.rules.map((r, i) => ruleFromJson(r, `rules[${i}]`));
}
function ruleFromJson(r, path) {
  const fail = (where2, what) => new JsonShapeError(`${path}${where2}: ${what}`);
  if (typeof r?.name !== "string") throw fail(".name", "expected a string");
  const variables = /* @__PURE__ */ new Map();
  const where = [];
  const sequence = (nodes, edges, at) => {
    if (!Array.isArray(nodes) || nodes.length === 0) throw fail(at + ".nodes", "expected a non-empty array");
    if (!Array.isArray(edges) || edges.length !== nodes.length - 1) throw fail(at + ".edges", `expected ${nodes.length - 1} edges chaining the nodes in order`);
    return nodes.map((n, i) => {
      const np = `${at}.nodes[${i}]`;
      const incoming = i === 0 ? "STRICT" : edges[i - 1]?.type;
      if (i > 0 && (edges[i - 1]?.source !== nodes[i - 1].name || edges[i - 1]?.target !== n.name)) throw fail(`${at}.edges[${i - 1}]`, `expected an edge from '${nodes[i - 1].name}' to '${n?.name}'`);
      const link = i === 0 ? "begin" : incoming === "STRICT" || incoming === "NOT_NEXT" ? "next" : incoming === "SKIP_TILL_NEXT" || incoming === "NOT_FOLLOW" ? "followedBy" : incoming === "SKIP_TILL_ANY" ? "followedByAny" : void 0;
      if (link === void 0) throw fail(`${at}.edges[${i - 1}].type`, `unknown contiguity '${String(incoming)}'`);
      const quantifier = quantifierFromJson(n?.quantifier, np + ".quantifier", fail);
      let node;
      if (n?.type === "COMPOSITE") {
        node = { kind: "group", items: sequence(n.nodes, n.edges, np), at: 0, len: 0 };
      } else if (n?.type === "ATOMIC") {
        if (typeof n.name !== "string" || n.name === "") throw fail(np + ".name", "expected a variable name");
        const c = n.condition;
        if (c?.type !== "CEPHEUS_EXPR" || !Array.isArray(c.eventCodes) || c.eventCodes.length === 0 || !c.eventCodes.every((x) => typeof x === "string")) {
          throw fail(np + ".condition", 'expected {type: "CEPHEUS_EXPR", eventCodes: [string, ...], expression}');
        }
        if (variables.has(n.name)) throw fail(np + ".name", `variable '${n.name}' appears twice`);
        variables.set(n.name, { codes: c.eventCodes, at: 0, len: 0 });
        if (c.expression !== null && c.expression !== void 0) where.push(exprFromJson(c.expression, np + ".condition.expression", fail));
        node = { kind: "step", variable: n.name, negated: incoming === "NOT_NEXT" || incoming === "NOT_FOLLOW", at: 0, len: 0 };
      } else throw fail(np + ".type", 'expected "ATOMIC" or "COMPOSITE"');
      if (quantifier) node.quantifier = quantifier;
      return { link, node };
    });
  };
  const rule = { name: r.name, at: 0, len: 1, variables, sequence: sequence(r.nodes, r.edges, ""), eventAt: 0, returns: [] };
  if (where.length > 0) rule.where = where.reduce((a, b) => ({ kind: "binary", op: "AND", left: a, right: b, at: 0, len: 0 }));
  if (r.window) {
    if (r.window.type !== "FIRST_AND_LAST" || r.window.time?.unit !== "MILLISECONDS" || !(r.window.time.size >= 0)) throw fail(".window", 'expected {type: "FIRST_AND_LAST", time: {unit: "MILLISECONDS", size}}');
    rule.within = { ms: r.window.time.size, at: 0, len: 0 };
  }
  const s = r.afterMatchStrategy;
  const kinds = { SKIP_PAST_LAST_EVENT: "pastLastEvent", SKIP_TO_NEXT: "toNext", NO_SKIP: "noSkip", SKIP_TO_FIRST: "toFirst", SKIP_TO_LAST: "toLast" };
  const kind = s ? kinds[s.type] : "pastLastEvent";
  if (kind === void 0) throw fail(".afterMatchStrategy.type", `unknown strategy '${String(s?.type)}'`);
  rule.skip = kind === "toFirst" || kind === "toLast" ? { kind, variable: String(s.patternName), at: 0, len: 0 } : { kind };
  if (r.partitionBy) rule.partitionBy = r.partitionBy.map((x, i) => exprFromJson(x, `.partitionBy[${i}]`, fail));
  if (r.repeat) {
    rule.repeat = {
      min: r.repeat.min,
      max: r.repeat.max,
      same: (r.repeat.same ?? []).map((x, i) => exprFromJson(x, `.repeat.same[${i}]`, fail)),
      having: r.repeat.having ? exprFromJson(r.repeat.having, ".repeat.having", fail) : void 0,
      at: 0,
      len: 0
    };
  }
  rule.returns = (r.returns ?? []).map((f, i) => ({ alias: String(f.name), expr: exprFromJson(f.expression, `.returns[${i}]`, fail), at: 0, len: 0 }));
  return rule;
}
function quantifierFromJson(q, at, fail) {
  const props = q?.properties;
  if (!Array.isArray(props)) throw fail(at, "expected {consumingStrategy, properties, times}");
  const optional = props.includes("OPTIONAL");
  if (props.includes("LOOPING")) {
    const from = q.times?.from ?? 1;
    if (optional) return { kind: "zeroOrMore" };
    return from === 1 ? { kind: "oneOrMore" } : { kind: "times", from, to: null };
  }
  if (props.includes("TIMES")) {
    if (!q.times || !Number.isInteger(q.times.from) || !(q.times.to === null || Number.isInteger(q.times.to))) throw fail(at + ".times", "expected {from, to}");
    return { kind: "times", from: q.times.from, to: q.times.to };
  }
  return optional ? { kind: "optional" } : void 0;
}
function stripPositions(e) {
  return JSON.parse(JSON.stringify(e, (k, v) => k === "at" || k === "len" ? void 0 : v));
}
function exprFromJson(x, at, fail) {
  const e = x;
  const sub = (v, p) => exprFromJson(v, at + p, fail);
  const pos = { at: 0, len: 0 };
  switch (e?.kind) {
    case "literal":
      if (!(e.value === null || ["string", "number", "boolean"].includes(typeof e.value))) break;
      return { kind: "literal", value: e.value, ...pos };
    case "field":
      if (typeof e.variable !== "string" || !Array.isArray(e.path) || !e.path.every((p) => typeof p === "string")) break;
      return { kind: "field", variable: e.variable, path: e.path, ...pos };
    case "variable":
      if (typeof e.variable !== "string") break;
      return { kind: "variable", variable: e.variable, ...pos };
    case "unary":
      if (e.op !== "-" && e.op !== "NOT") break;
      return { kind: "unary", op: e.op, arg: sub(e.arg, ".arg"), ...pos };
    case "binary":
      if (!BINARY.has(e.op)) break;
      return { kind: "binary", op: e.op, left: sub(e.left, ".left"), right: sub(e.right, ".right"), ...pos };
    case "in":
      if (!Array.isArray(e.list)) break;
      return { kind: "in", arg: sub(e.arg, ".arg"), list: e.list.map((y, i) => sub(y, `.list[${i}]`)), negated: e.negated === true, ...pos };
    case "like":
      return { kind: "like", arg: sub(e.arg, ".arg"), pattern: sub(e.pattern, ".pattern"), negated: e.negated === true, ...pos };
    case "isNull":
      return { kind: "isNull", arg: sub(e.arg, ".arg"), negated: e.negated === true, ...pos };
    case "call":
      if (!AGGREGATES.includes(e.fn)) break;
      return { kind: "call", fn: e.fn, arg: sub(e.arg, ".arg"), ...pos };
  }
  throw fail(at, `not a valid expression node: ${JSON.stringify(x)?.slice(0, 80)}`);
}
var LINKS, JsonShapeError, BINARY;
var init_json = __esm({
  "packages/rules/src/json.ts"() {
    "use strict";
    init_ast();
    init_compile2();
    init_errors2();
    LINKS = { begin: "STRICT", next: "STRICT", followedBy: "SKIP_TILL_NEXT", followedByAny: "SKIP_TILL_ANY" };
    JsonShapeError = class extends Error {
      name = "RuleJsonError";
    };
    BINARY = /* @__PURE__ */ new Set(["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "AND", "OR"]);
  }
});

// packages/rules/src/standard-event.ts
function normalizeEvent(raw) {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new EventError("an event must be a JSON object");
  const r = raw;
  if (typeof r.event_code !== "string" || r.event_code === "") throw new EventError("event_code must be a non-empty string");
  const userId = r.user_id;
  if (typeof userId !== "string" && !(typeof userId === "number" && Number.isFinite(userId))) throw new EventError("user_id must be a string or a number");
  return { event_code: r.event_code, event_time: parseTime(r.event_time), user_id: userId, extra_info: parseExtra(r.extra_info) };
}
function parseTime(v) {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new EventError(`event_time must be a finite number of ms, got ${v}`);
    return v;
  }
  if (typeof v === "string") {
    if (/^\d+$/.test(v)) return Number(v);
    const m = DATE_TIME.exec(v);
    if (m) {
      const [, y, mo, d, h, mi, s, ms] = m;
      const t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms ? +ms.padEnd(3, "0") : 0);
      if (!Number.isNaN(t) && new Date(t).getUTCDate() === +d) return t;
    }
    throw new EventError(`event_time "${v}" is not epoch ms or YYYY-MM-DD HH:mm:ss[.SSS]`);
  }
  throw new EventError('event_time is missing (epoch ms or "YYYY-MM-DD HH:mm:ss[.SSS]")');
}
function parseExtra(v) {
  if (v === void 0 || v === null) return {};
  if (typeof v === "string") {
    if (v.trim() === "") return {};
    let parsed;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new EventError("extra_info is a string but not valid JSON");
    }
    return parseExtra(parsed);
  }
  if (typeof v !== "object" || Array.isArray(v)) throw new EventError("extra_info must be an object or a JSON string of one");
  return v;
}
var EventError, DATE_TIME;
var init_standard_event = __esm({
  "packages/rules/src/standard-event.ts"() {
    "use strict";
    EventError = class extends Error {
      name = "EventError";
    };
    DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;
  }
});

// packages/rules/src/engine.ts
function dependencyOrder(rules) {
  const byName = new Map(rules.map((r) => [r.name, r]));
  const order = [];
  const state = /* @__PURE__ */ new Map();
  const visit = (r, path) => {
    const s = state.get(r.name);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...path.slice(path.indexOf(r.name)), r.name];
      throw new Error(`rules feed each other in a cycle: ${cycle.join(" -> ")} (a rule's output event_code is its name; remove one of these links)`);
    }
    state.set(r.name, "visiting");
    for (const code of r.codes) {
      const upstream = byName.get(code);
      if (upstream) visit(upstream, [...path, r.name]);
    }
    state.set(r.name, "done");
    order.push(r);
  };
  for (const r of rules) visit(r, []);
  return order;
}
var RuleEngine, NfaRunner, RepeatRunner, KeyWindow;
var init_engine = __esm({
  "packages/rules/src/engine.ts"() {
    "use strict";
    init_src();
    RuleEngine = class {
      constructor(options) {
        this.options = options;
        const ordered = dependencyOrder(options.rules);
        const names = new Set(ordered.map((r) => r.name));
        this.runners = ordered.map((rule) => {
          const ordered2 = ![...rule.codes].some((c) => names.has(c));
          return rule.kind === "repeat" ? new RepeatRunner(rule, this.emit, ordered2) : new NfaRunner(rule, this.emit, this.late);
        });
        for (const r of this.runners) {
          for (const code of r.rule.codes) {
            if (!this.byCode.has(code)) this.byCode.set(code, []);
            this.byCode.get(code).push(r);
          }
        }
        this.watermarks = new BoundedOutOfOrderness(options.outOfOrdernessMs ?? 0);
      }
      options;
      stats = { events: 0, outputs: 0, late: 0 };
      runners;
      byCode = /* @__PURE__ */ new Map();
      buffer = new EventTimeBuffer();
      watermarks;
      watermark = -Infinity;
      /** Feeds one (normalized) input event. */
      push(e) {
        this.stats.events++;
        const ts = e.event_time;
        if (ts <= this.watermark) {
          this.late(e);
          return;
        }
        this.buffer.add(ts, e);
        this.advanceTo(this.watermarks.onEvent(ts));
      }
      /** End of input: releases every buffered event and closes every window. */
      flush() {
        this.advanceTo(Number.MAX_VALUE);
      }
      advanceTo(watermark) {
        if (!(watermark > this.watermark)) return;
        this.buffer.release(watermark, this.dispatch);
        this.watermark = watermark;
        for (const r of this.runners) r.advance(watermark);
      }
      dispatch = (e) => {
        const runners = this.byCode.get(e.event_code);
        if (runners !== void 0) for (const r of runners) r.push(e);
      };
      emit = (e, rule) => {
        this.stats.outputs++;
        this.options.onOutput(e, rule);
        this.dispatch(e);
      };
      late = (e, rule) => {
        this.stats.late++;
        this.options.onLate?.(e, rule);
      };
    };
    NfaRunner = class {
      constructor(rule, emit, late) {
        this.rule = rule;
        this.op = new CepOperator({
          patterns: { [rule.name]: rule.pattern },
          key: rule.key,
          timestamp: (e) => e.event_time,
          onMatch: ({ match, key }) => emit(rule.output(match, key), rule.name),
          onLate: (e) => late(e, rule.name)
        });
      }
      rule;
      op;
      push(e) {
        this.op.processElement(e);
      }
      advance(watermark) {
        this.op.advanceWatermark(watermark);
      }
    };
    RepeatRunner = class {
      constructor(rule, emit, ordered) {
        this.rule = rule;
        this.emit = emit;
        this.ordered = ordered;
        this.spec = rule.repeat;
      }
      rule;
      emit;
      ordered;
      spec;
      windows = /* @__PURE__ */ new Map();
      pending = new EventTimeBuffer();
      push(e) {
        if (!this.spec.accepts(e)) return;
        if (this.ordered) this.process(e, e.event_time);
        else this.pending.add(e.event_time, e);
      }
      advance(watermark) {
        this.pending.release(watermark, this.process);
      }
      process = (e, ts) => {
        const { min, max, withinMs, having, variable } = this.spec;
        const key = this.rule.key(e);
        let w = this.windows.get(key);
        if (w === void 0) this.windows.set(key, w = new KeyWindow(this.spec.newAggregates()));
        w.evictBefore(ts - withinMs);
        w.push(e);
        if (max !== null && w.size > max) w.dropOldest();
        if (w.size >= min && having(e, w.view, w.aggregates)) {
          this.windows.delete(key);
          this.emit(this.rule.output(/* @__PURE__ */ new Map([[variable, w.view().slice()]]), key), this.rule.name);
        }
      };
    };
    KeyWindow = class {
      constructor(aggregates) {
        this.aggregates = aggregates;
      }
      aggregates;
      events = [];
      /** The events' times, apart: eviction then reads this key's recent memory, not its oldest events. */
      times = [];
      head = 0;
      cached;
      get size() {
        return this.events.length - this.head;
      }
      push(e) {
        this.events.push(e);
        this.times.push(e.event_time);
        this.aggregates.add(e);
        this.cached = void 0;
      }
      /** Drops events at or before `limit` (time - WITHIN): they are WITHIN or more before the newest. */
      evictBefore(limit) {
        const times = this.times;
        while (this.head < times.length && times[this.head] <= limit) this.dropOldest();
      }
      dropOldest() {
        this.aggregates.remove(this.events[this.head++]);
        this.cached = void 0;
        if (this.head > 64 && this.head > this.events.length >>> 1) {
          this.events = this.events.slice(this.head);
          this.times = this.times.slice(this.head);
          this.head = 0;
        }
      }
      /** The window's events, oldest first (copied only when asked for). */
      view = () => {
        if (this.head === 0) return this.events;
        return this.cached ??= this.events.slice(this.head);
      };
    };
  }
});

// packages/rules/src/index.ts
var init_src2 = __esm({
  "packages/rules/src/index.ts"() {
    "use strict";
    init_parser();
    init_compile2();
    init_rules();
    init_json();
    init_errors2();
    init_standard_event();
    init_engine();
  }
});

// packages/cli/src/main.ts
var main_exports = {};
__export(main_exports, {
  LineWriter: () => LineWriter,
  main: () => main,
  parseDuration: () => parseDuration
});
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
async function main(argv) {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case "run":
        return await run(rest);
      case "check":
        return check3(rest);
      case "explain":
        return explain(rest);
      case "compile":
        return compileJson(rest);
      case void 0:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE + "\n");
        return command === void 0 ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`cepheus: ${e.message}

${USAGE}
`);
      return 2;
    }
    if (e instanceof RuleError) {
      process.stderr.write(e.format() + "\n");
      return 1;
    }
    process.stderr.write(`cepheus: ${e.message ?? e}
`);
    return 1;
  }
}
function parse(args, options = {}) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e.message);
  }
}
function loadRules(files) {
  if (files.length === 0) throw new UsageError("give at least one rule file");
  const rules = [];
  let failed = false;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`cepheus: cannot read rule file ${file}: ${e.code ?? e.message}
`);
      failed = true;
      continue;
    }
    try {
      rules.push(...file.endsWith(".json") ? loadRulesJson(text) : compileRules(text, file));
    } catch (e) {
      if (e instanceof RuleError) process.stderr.write(e.format() + "\n");
      else if (e instanceof SyntaxError || e.name === "RuleJsonError") process.stderr.write(`cepheus: ${file}: ${e.message}
`);
      else throw e;
      failed = true;
    }
  }
  const names = /* @__PURE__ */ new Set();
  for (const r of rules) {
    if (names.has(r.name)) {
      process.stderr.write(`cepheus: two rules are named "${r.name}" (rule names must be unique across files)
`);
      failed = true;
    }
    names.add(r.name);
  }
  if (failed) return void 0;
  try {
    dependencyOrder(rules);
  } catch (e) {
    process.stderr.write(`cepheus: ${e.message}
`);
    return void 0;
  }
  return rules;
}
function check3(args) {
  const { positionals } = parse(args);
  const rules = loadRules(positionals);
  if (!rules) return 1;
  process.stdout.write(`ok: ${rules.length} rule${rules.length === 1 ? "" : "s"} in ${positionals.length} file${positionals.length === 1 ? "" : "s"}
`);
  return 0;
}
function explain(args) {
  const { positionals } = parse(args);
  const rules = loadRules(positionals);
  if (!rules) return 1;
  const json = new Map(
    positionals.filter((f) => !f.endsWith(".json")).flatMap((f) => rulesToJson(parseRules(readFileSync(f, "utf8"), f)).rules).map((r) => [r.name, r])
  );
  for (const r of rules) {
    const lines = [
      `rule ${r.name}`,
      `  engine:         ${r.kind === "repeat" ? "windowed aggregation (fast path, no NFA)" : "NFA"}`,
      `  reads:          ${[...r.codes].join(", ")}`,
      `  partition key:  ${r.keyDescription}`,
      `  window:         ${r.withinMs === void 0 ? "none" : `${r.withinMs} ms`}`,
      `  after match:    ${r.skip}`,
      `  pattern:        ${r.patternText}`
    ];
    if (r.pattern) {
      lines.push("  NFA states:");
      for (const s of compilePattern(r.pattern).states) lines.push(`    ${s.toString()}`);
    }
    const doc = json.get(r.name);
    if (doc) lines.push(`  as data (cepheus compile --json): ${JSON.stringify(doc)}`);
    process.stdout.write(lines.join("\n") + "\n\n");
  }
  return 0;
}
function compileJson(args) {
  const { values, positionals } = parse(args, { json: { type: "boolean" } });
  if (!values.json) throw new UsageError("compile writes the JSON form: give --json");
  if (!loadRules(positionals)) return 1;
  const asts = positionals.flatMap((f) => parseRules(readFileSync(f, "utf8"), f));
  process.stdout.write(JSON.stringify(rulesToJson(asts), null, 2) + "\n");
  return 0;
}
async function run(args) {
  const { values, positionals } = parse(args, {
    input: { type: "string", short: "i" },
    output: { type: "string", short: "o" },
    late: { type: "string" },
    errors: { type: "string" },
    "out-of-orderness": { type: "string" },
    fields: { type: "string" }
  });
  if (values.input === void 0) throw new UsageError("run needs --input FILE (or - for standard input)");
  const outOfOrdernessMs = values["out-of-orderness"] === void 0 ? 0 : parseDuration(String(values["out-of-orderness"]));
  const toStandard = values.fields === void 0 ? void 0 : fieldMapping(String(values.fields));
  const rules = loadRules(positionals);
  if (!rules) return 1;
  const out = new LineWriter(values.output === void 0 || values.output === "-" ? process.stdout : createWriteStream(String(values.output)));
  const lateOut = values.late === void 0 ? void 0 : new LineWriter(createWriteStream(String(values.late)));
  const errOut = new LineWriter(values.errors === void 0 ? process.stderr : createWriteStream(String(values.errors)));
  let errors = 0;
  let outputFailure;
  for (const w of [out, lateOut, errOut]) w?.onError((e) => outputFailure ??= e);
  const engine = new RuleEngine({
    rules,
    outOfOrdernessMs,
    onOutput: (e) => out.write(JSON.stringify(e)),
    onLate: (e, rule) => lateOut?.write(JSON.stringify(rule ? { rule, event: e } : e))
  });
  const started = performance.now();
  const progress = process.stderr.isTTY ? setInterval(() => process.stderr.write(`\r\x1B[K${status()}`), 1e3) : void 0;
  const status = () => {
    const s = (performance.now() - started) / 1e3;
    return `${engine.stats.events} events (${Math.round(engine.stats.events / Math.max(s, 1e-9))}/s), ${engine.stats.outputs} outputs, ${errors} errors, ${engine.stats.late} late`;
  };
  const input = values.input === "-" ? process.stdin : createReadStream(String(values.input), { highWaterMark: 1 << 20 });
  let lineNo = 0;
  const handle = (line) => {
    lineNo++;
    if (line.length === 0 || line.trim() === "") return;
    let raw;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      errors++;
      errOut.write(JSON.stringify({ line: lineNo, error: `malformed JSON: ${e.message}`, text: line.slice(0, 200) }));
      return;
    }
    let event;
    try {
      event = normalizeEvent(toStandard ? toStandard(raw) : raw);
    } catch (e) {
      if (!(e instanceof EventError)) throw e;
      errors++;
      errOut.write(JSON.stringify({ line: lineNo, error: e.message, text: line.slice(0, 200) }));
      return;
    }
    engine.push(event);
  };
  try {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of input) {
      if (outputFailure) break;
      const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        handle(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (out.pending > 1 << 16) await out.flush();
    }
    if (!outputFailure) {
      rest += decoder.decode();
      if (rest.length > 0) handle(rest);
      engine.flush();
    }
  } catch (e) {
    const code = e.code;
    if (code !== void 0 && e.syscall !== void 0) {
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : e.message;
      process.stderr.write(`cepheus: cannot read input ${values.input}: ${why}
`);
      return 1;
    }
    throw e;
  } finally {
    if (progress) clearInterval(progress);
  }
  await Promise.all([out.close(), lateOut?.close(), errOut.close()]);
  if (outputFailure && outputFailure.code !== "EPIPE") {
    process.stderr.write(`cepheus: cannot write output: ${outputFailure.message}
`);
    return 1;
  }
  const secs = (performance.now() - started) / 1e3;
  const lateNote = engine.stats.late > 0 && !lateOut ? " (not written: give --late FILE to keep them)" : "";
  process.stderr.write(`${process.stderr.isTTY ? "\r\x1B[K" : ""}${status()}${lateNote}; ${secs.toFixed(2)} s
`);
  return 0;
}
function fieldMapping(spec) {
  const standard = ["event_code", "event_time", "user_id", "extra_info"];
  const pairs = spec.split(",").map((p) => p.trim().split("="));
  for (const p of pairs) {
    if (p.length !== 2 || !standard.includes(p[0]) || p[1] === "") throw new UsageError(`--fields: '${p.join("=")}' is not STANDARD=input with STANDARD one of ${standard.join(", ")}`);
  }
  const map = Object.fromEntries(pairs);
  const [code, time, user, extra] = standard.map((f) => map[f] ?? f);
  return (raw) => {
    if (raw === null || typeof raw !== "object") return raw;
    const r = raw;
    return { event_code: r[code], event_time: r[time], user_id: r[user], extra_info: r[extra] };
  };
}
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read the duration '${text}': use e.g. 500ms, 5s, 2m, 1h`);
  const unit = { ms: 1, s: 1e3, m: 6e4, min: 6e4, h: 36e5, d: 864e5 }[m[2] ?? "ms"];
  return Number(m[1]) * unit;
}
var USAGE, UsageError, LineWriter;
var init_main = __esm({
  "packages/cli/src/main.ts"() {
    "use strict";
    init_src();
    init_src2();
    USAGE = `cepheus: complex event processing rules over JSONL event streams

usage:
  cepheus run RULES... --input FILE|- [--output FILE|-] [--late FILE] [--errors FILE] [--out-of-orderness 5s]
                       [--fields event_code=code,event_time=ts,user_id=user]
  cepheus check RULES...       check rule files; exit code 1 on any error
  cepheus explain RULES...     show each rule's compiled pattern, partition key, engine and JSON form
  cepheus compile RULES... --json
                               print the rules as data (JSON), loadable without the parser

Rule files are rule text, or JSON documents (*.json) written by 'cepheus compile --json'.

Input events are JSON lines: {"event_code", "event_time" (epoch ms or "YYYY-MM-DD HH:mm:ss[.SSS]"),
"user_id", "extra_info"}. Output events have the same shape (event_code = the rule's name).
Malformed or invalid lines go to --errors (default: stderr) with their line number; they are
counted and never stop the run. Events at or behind the watermark go to --late (default: counted).`;
    UsageError = class extends Error {
    };
    LineWriter = class {
      constructor(stream) {
        this.stream = stream;
      }
      stream;
      buf = [];
      pending = 0;
      failed = false;
      handler = () => {
      };
      /** Write errors (EPIPE when the reader went away, ENOSPC, ...) go to `handler` instead of crashing. */
      onError(handler) {
        this.handler = handler;
        this.stream.on("error", (e) => this.fail(e));
      }
      fail(e) {
        this.failed = true;
        this.handler(e);
      }
      write(line) {
        this.buf.push(line);
        this.pending += line.length + 1;
      }
      async flush() {
        if (this.failed) this.buf = [];
        if (this.buf.length === 0) return;
        const data = this.buf.join("\n") + "\n";
        this.buf = [];
        this.pending = 0;
        if (!this.stream.write(data) && !this.failed) {
          const stream = this.stream;
          await new Promise((resolve) => {
            const done = () => {
              stream.off("drain", done);
              stream.off("error", done);
              resolve();
            };
            stream.once("drain", done);
            stream.once("error", done);
          });
        }
      }
      async close() {
        await this.flush();
        if (this.failed || this.stream === process.stdout || this.stream === process.stderr) return;
        await new Promise(
          (resolve) => this.stream.end((e) => {
            if (e) this.fail(e);
            resolve();
          })
        );
      }
    };
  }
});

// bench/workload.ts
init_src();
import { createReadStream as createReadStream2, mkdtempSync, readFileSync as readFileSync2, rmSync, writeFileSync, createWriteStream as createWriteStream2 } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// conformance/harness.ts
init_src();
function buildPattern(expr) {
  const build = new Function("Pattern", "AfterMatchSkipStrategy", `"use strict"; return (${expr});`);
  return build(Pattern, AfterMatchSkipStrategy);
}

// ../shared/bench/gen.mjs
import { pathToFileURL } from "node:url";
function lcg(seed = 42) {
  let s = seed >>> 0;
  return () => {
    s = Math.imul(s, 1664525) + 1013904223 >>> 0;
    return s >>> 8;
  };
}
var CODES = "ABCDEFGHIJ";
function* w1(n = 5e6, users = 1e5) {
  const next = lcg(42);
  for (let i = 0; i < n; i++) {
    const user = next() % users;
    const code = CODES[next() % 10];
    yield { user, code, ts: i };
  }
}
function* w2(n = 2e6, users = 1e3, recipients = 1e3) {
  const next = lcg(42);
  for (let i = 0; i < n; i++) {
    const user = next() % users;
    const to = next() % recipients;
    yield { event_code: "S_SEND_MSG", event_time: i, user_id: "u" + user, extra_info: { to_user: "t" + to } };
  }
}
function* w3(n = 200) {
  const next = lcg(7);
  for (let i = 0; i < n; i++) yield { user: 0, code: CODES[next() % 10], ts: i * 1e3 };
}
if (false) {
  const [which2 = "W1", count] = process.argv.slice(2);
  const gen = { W1: w1, W2: w2, W3: w3 }[which2.toUpperCase()];
  if (!gen) {
    console.error("usage: gen.mjs W1|W2|W3 [count]");
    process.exit(2);
  }
  const out = [];
  for (const e of count ? gen(Number(count)) : gen()) {
    out.push(JSON.stringify(e));
    if (out.length === 1e4) {
      process.stdout.write(out.join("\n") + "\n");
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(out.join("\n") + "\n");
}

// bench/workload.ts
init_src2();
var CODES2 = "ABCDEFGHIJ";
var median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
var peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
var log = (s) => process.stderr.write(s + "\n");
function compactInput(n, gen) {
  const users = new Int32Array(n);
  const codes = new Uint8Array(n);
  let i = 0;
  for (const e of gen) {
    users[i] = e.user;
    codes[i++] = CODES2.indexOf(e.code);
  }
  return { users, codes };
}
var abc = (within) => Pattern.begin("a").where((e) => e.code === "A").followedBy("b").where((e) => e.code === "B").followedBy("c").where((e) => e.code === "C").within(within);
function runKeyed(input, pattern, sampleHeap = false) {
  let matches = 0;
  const op = new CepOperator({
    patterns: { w: pattern },
    key: (e) => e.user,
    timestamp: (e) => e.ts,
    outOfOrdernessMs: 0,
    onMatch: () => matches++
  });
  const { users, codes } = input;
  const n = users.length;
  let heap = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    op.processElement({ user: users[i], code: CODES2[codes[i]], ts: i });
    if (sampleHeap && (i & 8191) === 0) heap = Math.max(heap, process.memoryUsage().heapUsed);
  }
  op.flush();
  return { ms: performance.now() - t0, matches, heapMb: Math.round(heap / 1e5) / 10 };
}
function w1Bench(runs2) {
  const input = compactInput(5e6, w1());
  const rates = [];
  let matches = 0;
  for (let r = 0; r < runs2; r++) {
    const res = runKeyed(input, abc(6e5));
    matches = res.matches;
    rates.push(input.users.length / (res.ms / 1e3));
    log(`  run ${r + 1}/${runs2}: ${(rates[r] / 1e6).toFixed(2)} M events/s, ${res.matches} matches`);
  }
  return { workload: "W1", events_per_s: Math.round(median(rates)), matches, rss_mb: peakRssMb() };
}
function w4Bench(runs2) {
  const pattern = () => Pattern.begin("a").where((e) => e.code === "A").followedByAny("b").where((e) => e.code === "B").oneOrMore().followedBy("c").where((e) => e.code === "C").within(50);
  const sizes = [5e4, 1e5, 2e5];
  const inputs = new Map(sizes.map((n) => [n, compactInput(n, w1(n, 1))]));
  const rates = new Map(sizes.map((n) => [n, []]));
  const perSize = {};
  let matches = 0;
  runKeyed(inputs.get(5e4), pattern());
  for (let r = 0; r < runs2; r++) {
    for (const n of sizes) {
      const res = runKeyed(inputs.get(n), pattern());
      rates.get(n).push(n / (res.ms / 1e3));
      if (n === 2e5) matches = res.matches;
    }
  }
  const heapAt = {};
  for (const n of sizes) {
    perSize[n] = Math.round(median(rates.get(n)));
    heapAt[n] = runKeyed(inputs.get(n), pattern(), true).heapMb;
    log(`  ${n} events: ${(perSize[n] / 1e6).toFixed(3)} M events/s (median of ${runs2}), peak JS heap during the run ${heapAt[n]} MB`);
  }
  log(`  ${matches} matches at 200000 events, peak RSS ${peakRssMb()} MB`);
  const flat = perSize[2e5] / perSize[5e4];
  log(`  throughput 200k/50k = ${flat.toFixed(2)} (flat within 20% means 0.80..1.20)`);
  return {
    workload: "W4",
    events_per_s: perSize[2e5],
    matches,
    rss_mb: peakRssMb(),
    events_per_s_50k: perSize[5e4],
    events_per_s_100k: perSize[1e5],
    flatness: Number(flat.toFixed(3)),
    heap_mb_50k: heapAt[5e4],
    heap_mb_200k: heapAt[2e5]
  };
}
function w3Bench(runs2) {
  const rulesFile = fileURLToPath(new URL("../../shared/bench/w3-rules.json", import.meta.url));
  const rules = JSON.parse(readFileSync2(rulesFile, "utf8")).rules;
  const events = [...w3()];
  const build = (expr) => buildPattern(expr);
  const compileTimes = [];
  const processTimes = [];
  let matches = 0;
  for (let r = 0; r < runs2; r++) {
    const t0 = performance.now();
    const nfas = rules.map((rule) => new NFA(compilePattern(build(rule.pattern))));
    const t1 = performance.now();
    const states = nfas.map((n) => n.createState());
    const out = [];
    let count = 0;
    const t2 = performance.now();
    for (const e of events) {
      for (let i = 0; i < nfas.length; i++) {
        nfas[i].advanceTime(states[i], e.ts, out);
        nfas[i].process(states[i], e, e.ts, out);
      }
      count += out.length;
      out.length = 0;
    }
    const t3 = performance.now();
    compileTimes.push(t1 - t0);
    processTimes.push(t3 - t2);
    matches = count;
  }
  const compile_ms = Number(median(compileTimes).toFixed(3));
  const process_ms = Number(median(processTimes).toFixed(3));
  log(`  20 rules: compile ${compile_ms} ms, 200 events x 20 rules ${process_ms} ms (medians of ${runs2}), ${matches} matches`);
  return { workload: "W3", events_per_s: Math.round(events.length / process_ms * 1e3), matches, rss_mb: peakRssMb(), compile_ms, process_ms };
}
var W2_RULE = `RULENAME: "mass_messaging"
e1: S_SEND_MSG
EVENT e1
REPEAT 100+ SAME e1.user_id HAVING DISTINCT(e1.extra_info.to_user) > 100
WITHIN 10 MINUTE
RETURN userId=e1.user_id`;
function w2Bench(runs2) {
  const events = [...w2()];
  const rates = [];
  let matches = 0;
  for (let r = 0; r < runs2; r++) {
    let outputs = 0;
    const engine = new RuleEngine({ rules: compileRules(W2_RULE), onOutput: () => outputs++ });
    const t0 = performance.now();
    for (let i = 0; i < events.length; i++) engine.push(events[i]);
    engine.flush();
    const ms = performance.now() - t0;
    matches = outputs;
    rates.push(events.length / (ms / 1e3));
    log(`  run ${r + 1}/${runs2}: ${(rates[r] / 1e6).toFixed(2)} M events/s, ${outputs} matches`);
  }
  return { workload: "W2", events_per_s: Math.round(median(rates)), matches, rss_mb: peakRssMb() };
}
function r1000Bench(runs2) {
  const texts = [];
  for (let i = 0; i < 1e3; i++) {
    const c = (k) => `C${(i + k) % 50}`;
    texts.push(
      i % 2 === 0 ? `RULENAME: "seq_${i}"
a: ${c(0)}
b: ${c(1)} | ${c(2)}
n: ${c(4)}
c: ${c(3)}
EVENT a -> b{1,3} -> !n -> c
WHERE b.extra_info.item = a.extra_info.item AND a.extra_info.price > ${i}
WITHIN ${1 + i % 30} MINUTES
RETURN item=a.extra_info.item, n=COUNT(b)` : `RULENAME: "rep_${i}"
e: ${c(0)}
EVENT e
REPEAT ${1 + i % 9}+ SAME e.user_id HAVING DISTINCT(e.extra_info.to) > ${i % 7}
WITHIN ${1 + i % 5} HOURS
RETURN n=COUNT(e)`
    );
  }
  const all = texts.join("\n\n");
  const times = [];
  let rules = 0;
  for (let r = 0; r < runs2; r++) {
    const t0 = performance.now();
    rules = compileRules(all).length;
    times.push(performance.now() - t0);
  }
  const compile_ms = Number(median(times).toFixed(1));
  log(`  ${rules} rules (half sequences with quantifier, negation and iterative conditions, half REPEAT): ${compile_ms} ms to parse and compile (median of ${runs2})`);
  return { workload: "R1000", events_per_s: 0, matches: 0, rss_mb: peakRssMb(), compile_ms, rules };
}
async function w5Bench(runs2) {
  const { main: main2 } = await Promise.resolve().then(() => (init_main(), main_exports));
  const dir = mkdtempSync(join(tmpdir(), "cepheus-w5-"));
  const input = join(dir, "w1.jsonl");
  const rule = join(dir, "w1.cep");
  writeFileSync(rule, 'RULENAME "w1"\na: A\nb: B\nc: C\nEVENT a -> b -> c\nWITHIN 600000 MILLISECONDS\nAFTER MATCH NO SKIP\n');
  await new Promise((resolve) => {
    const out = createWriteStream2(input);
    let buf = [];
    for (const e of w1()) {
      buf.push(JSON.stringify(e));
      if (buf.length === 1e4) {
        out.write(buf.join("\n") + "\n");
        buf = [];
      }
    }
    out.end(buf.length > 0 ? buf.join("\n") + "\n" : "", () => resolve());
  });
  const parseRates = [];
  const runRates = [];
  let matches = 0;
  for (let r = 0; r < runs2; r++) {
    let t0 = performance.now();
    let n = 0;
    let rest = "";
    for await (const chunk of createReadStream2(input, { highWaterMark: 1 << 20, encoding: "utf8" })) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        if (nl > start) {
          JSON.parse(text.slice(start, nl));
          n++;
        }
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    parseRates.push(n / ((performance.now() - t0) / 1e3));
    const output = join(dir, "out.jsonl");
    t0 = performance.now();
    const code = await main2(["run", rule, "--input", input, "--output", output, "--fields", "event_code=code,event_time=ts,user_id=user"]);
    runRates.push(n / ((performance.now() - t0) / 1e3));
    matches = readFileSync2(output, "utf8").split("\n").filter(Boolean).length;
    log(`  round ${r + 1}/${runs2}: JSON.parse ${(parseRates[r] / 1e6).toFixed(2)} M lines/s, cepheus run ${(runRates[r] / 1e6).toFixed(2)} M events/s (exit ${code}), ${matches} matches`);
  }
  rmSync(dir, { recursive: true, force: true });
  const parse2 = median(parseRates);
  const run2 = median(runRates);
  log(`  ratio run/parse = ${(run2 / parse2).toFixed(2)} (goal >= 0.60)`);
  return { workload: "W5", events_per_s: Math.round(run2), matches, rss_mb: peakRssMb(), json_parse_lines_per_s: Math.round(parse2), ratio: Number((run2 / parse2).toFixed(3)) };
}
var which = (process.argv[2] ?? "").toUpperCase();
var runs = Number(process.env.BENCH_RUNS ?? 0);
var result = which === "W5" ? await w5Bench(runs || 3) : which === "R1000" ? r1000Bench(runs || 7) : which === "W1" ? w1Bench(runs || 5) : which === "W2" ? w2Bench(runs || 5) : which === "W3" ? w3Bench(runs || 501) : which === "W4" ? w4Bench(runs || 5) : void 0;
if (result === void 0) {
  log(`unknown workload '${which}': use W1, W2, W3, W4, W5 or R1000`);
  process.exit(2);
}
console.log("BENCH " + JSON.stringify(result));
