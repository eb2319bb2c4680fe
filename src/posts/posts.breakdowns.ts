/**
 * TikTok's per-post breakdowns (`retention[]`, `impression_sources[]`,
 * `audience_types[]`, `audience`) as plain metrics, so every number the API
 * sends is a row of v_post_metrics: `retention.1` (the share still watching at
 * second 1), `impression_sources.For You`, `audience_types.New viewers`,
 * `audience.countries.US`. Percentages stay fractions of 1, as sent.
 */
import { NUMERIC_FIELDS, readNumber, type BadValue } from '../api/values.js';

/** Keys that name an item of a breakdown list, in the docs' shapes first. */
const LABEL_KEYS = ['second', 'impression_source', 'audience_type', 'country', 'city', 'gender', 'age', 'name', 'label', 'key', 'type'];
// Deep enough for `audience.countries[…]`; anything deeper stays in the raw answer.
const MAX_DEPTH = 3;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numericKey = (key: string): boolean => NUMERIC_FIELDS.has(key);

export interface Flattened {
  values: Record<string, number>;
  /** Fields are the answer's: `post_metrics.retention.3` for the item labelled 3. */
  bad: BadValue[];
}

/** Flatten one breakdown (a list of labelled items, or a map) under its field's name. */
export function flattenBreakdown(field: string, v: unknown, out: Flattened = { values: {}, bad: [] }, depth = 1): Flattened {
  const put = (name: string, raw: unknown, numeric: boolean): void => {
    const r = readNumber(raw, numeric);
    if (r?.ok) out.values[name] = r.value;
    else if (r) out.bad.push({ field: `post_metrics.${name}`, raw: r.raw, why: r.why });
  };
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (!isObject(item)) return put(`${field}.${i}`, item, true);
      const labelKey = LABEL_KEYS.find((k) => typeof item[k] === 'string' || typeof item[k] === 'number') ?? Object.keys(item).find((k) => typeof item[k] === 'string');
      const label = labelKey === undefined ? String(i) : String(item[labelKey]);
      const rest = Object.entries(item).filter(([k]) => k !== labelKey);
      const scalars = rest.filter(([, x]) => typeof x !== 'object' || x === null);
      // One number per item (the docs' `percentage`): the label alone names it.
      const single = scalars.filter(([k, x]) => numericKey(k) || readNumber(x, false)?.ok).length === 1;
      for (const [k, x] of rest) {
        if (typeof x === 'object' && x !== null) {
          if (depth < MAX_DEPTH) flattenBreakdown(`${field}.${label}.${k}`, x, out, depth + 1);
        } else if (numericKey(k) || readNumber(x, false) !== undefined) {
          put(single ? `${field}.${label}` : `${field}.${label}.${k}`, x, numericKey(k));
        }
      }
    });
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'object' && x !== null) {
        if (depth < MAX_DEPTH) flattenBreakdown(`${field}.${k}`, x, out, depth + 1);
      } else put(`${field}.${k}`, x, true);
    }
  }
  return out;
}
