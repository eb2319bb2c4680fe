/**
 * `/uploadposts/users` read from its bytes a profile at a time (parseUsersBytes)
 * gives what parsing it whole gives (parseUsers of JSON.parse), or gives up
 * (undefined) and leaves the answer to JSON.parse; it never reads a body that is
 * not JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUsers, parseUsersBytes } from '../src/api/parse.js';

const whole = (text: string) => parseUsers(JSON.parse(text));
const bytes = (text: string) => parseUsersBytes(Buffer.from(text, 'utf8'));

/** Strings that look like the JSON around them: brackets, quotes, commas, escapes, `profiles` itself. */
const tricky = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('profiles', '{', '}', '[', ']', ',', ':', '"', '\\', '\\"', '"profiles":[', ' \n\t', '\u2028', '😀'));
const account = fc.oneof(fc.constant(null), fc.constant({}), fc.dictionary(tricky, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }), fc.jsonValue({ maxDepth: 1 }));
const profile = fc.oneof(
  fc.record(
    {
      username: fc.oneof(tricky, fc.integer()),
      created_at: fc.oneof(fc.constant('2025-10-27T16:02:09.000Z'), tricky, fc.constant(null)),
      social_accounts: fc.oneof(fc.dictionary(tricky, account, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 1 })),
      profiles: fc.array(fc.record({ username: tricky }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const answer = fc.record({ before: fc.dictionary(tricky, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), profiles: fc.array(profile, { maxLength: 8 }), after: fc.dictionary(tricky, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) });
const indent = fc.constantFrom(undefined, 0, 1, 2, '\t', ' \n ');
/** The answer as a server might write it: fields before and after `profiles`, any indentation. */
const text = fc.tuple(answer, indent).map(([a, space]) => {
  const { profiles: _drop, ...before } = a.before;
  const { profiles: _too, ...after } = a.after;
  return JSON.stringify({ ...before, profiles: a.profiles, ...after }, null, space as string | number | undefined);
});

describe('reading /users from its bytes', () => {
  it('reads any answer of the plain shape, and reads it as JSON.parse does', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(bytes(t)).toEqual(whole(t));
      }),
      { numRuns: 500 },
    );
  });

  it('never reads a body JSON.parse refuses, and reads the others as it does or not at all', () => {
    const edit = fc.record({ at: fc.nat(), drop: fc.nat({ max: 3 }), insert: fc.constantFrom('', ',', '[', ']', '{', '}', '"', '\\', ':', 'x', ' ', '1') });
    fc.assert(
      fc.property(text, edit, (t, e) => {
        const at = e.at % (t.length + 1);
        // As the client has it: text decoded from bytes (a cut surrogate pair is U+FFFD in both).
        const broken = Buffer.from(t.slice(0, at) + e.insert + t.slice(at + e.drop), 'utf8').toString('utf8');
        let expected: ReturnType<typeof whole> | 'refused';
        try {
          expected = whole(broken);
        } catch {
          expected = 'refused';
        }
        const got = bytes(broken);
        if (expected === 'refused') expect(got).toBeUndefined();
        else if (got !== undefined) expect(got).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['an empty list', '{"profiles": [ \n ]}', []],
    ['a later `profiles` array over an earlier one', '{"profiles":[{"username":"a"}],"x":1,"profiles":[{"username":"b"}]}', [{ username: 'b', createdAt: undefined, connected: [] }]],
    ['`profiles` inside a profile, not at the top', '{"profiles":[{"username":"a","profiles":[{"username":"z"}],"social_accounts":{"X":{"h":1},"tiktok":{}}}]}', [{ username: 'a', createdAt: undefined, connected: ['x'] }]],
    ['a `profiles` key written with an escape', '{"profil\\u0065s":[{"username":"a"}]}', [{ username: 'a', createdAt: undefined, connected: [] }]],
    ['strings holding brackets, commas and escaped quotes', '{"note":"]},[\\"","profiles":[{"username":"a\\",]"},{"username":"b"}]}', [{ username: 'a",]', createdAt: undefined, connected: [] }, { username: 'b', createdAt: undefined, connected: [] }]],
  ])('reads %s', (_what, t, expected) => {
    expect(bytes(t)).toEqual(expected);
    expect(bytes(t)).toEqual(whole(t));
  });

  it.each([
    ['a later `profiles` that is not a list', '{"profiles":[{"username":"a"}],"profiles":null}'],
    ['no `profiles`', '{"success":true}'],
    ['a list at the top', '[{"username":"a"}]'],
  ])('leaves %s to JSON.parse', (_what, t) => {
    expect(bytes(t)).toBeUndefined();
  });

  it.each([
    ['a trailing comma', '{"profiles":[{"username":"a"},]}'],
    ['an empty entry', '{"profiles":[{"username":"a"},,{"username":"b"}]}'],
    ['a cut-off answer', '{"profiles":[{"username":"a"},{"username":"b"'],
    ['text after the object', '{"profiles":[{"username":"a"}]} x'],
    ['a bad value outside the list', '{"limit":01,"profiles":[{"username":"a"}]}'],
    ['a raw control character in a string', '{"profiles":[{"username":"a\tb"}]}'],
    ['a byte-order mark', '\uFEFF{"profiles":[]}'],
  ])('refuses %s, as JSON.parse does', (_what, t) => {
    expect(() => JSON.parse(t)).toThrow();
    expect(bytes(t)).toBeUndefined();
  });
});
