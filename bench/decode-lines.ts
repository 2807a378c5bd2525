/**
 * Analysis: decoding a JSONL file's lines with the line decoder `cepheus run` uses, against
 * JSON.parse of each line, in one process (median of 5 passes each, ns per line).
 * `npx tsx bench/decode-lines.ts FILE [event_code=code,event_time=ts,user_id=user]`
 * (W2's format: `node ../shared/bench/gen.mjs W2 300000 > w2.jsonl`).
 */
import { readFileSync } from 'node:fs';
import { eventLineDecoder, STANDARD_FIELDS, type EventFields } from '../packages/rules/src/index.ts';

const [file, mapping] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: npx tsx bench/decode-lines.ts FILE [event_code=code,...]');
  process.exit(2);
}
const fields: EventFields = {
  ...STANDARD_FIELDS,
  ...Object.fromEntries(
    (mapping ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => p.split('=')),
  ),
};
const text = readFileSync(file, 'latin1');
const ends: number[] = [];
for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) ends.push(i);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function pass(decodeLine: (start: number, end: number) => unknown): number {
  const t0 = performance.now();
  let start = 0;
  for (const end of ends) {
    decodeLine(start, end);
    start = end + 1;
  }
  return performance.now() - t0;
}

const decoder: number[] = [];
const json: number[] = [];
for (let r = 0; r < 5; r++) {
  const decode = eventLineDecoder(fields);
  decoder.push(pass((start, end) => decode(text, start, end)));
  json.push(pass((start, end) => JSON.parse(text.slice(start, end))));
}
const ns = (ms: number) => ((ms * 1e6) / ends.length).toFixed(0);
console.log(`${ends.length} lines: line decoder ${ns(median(decoder))} ns a line, JSON.parse ${ns(median(json))} ns a line`);
