/** Machine output (--json) speaks snake_case everywhere, as status, the API and the BI views do. */

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The same object with its own keys in snake_case (values untouched): a run row, a summary. */
export function snakeKeys<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), v]));
}
