import type * as z from 'zod/mini';

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  email: 'must be an email address',
  regex: 'has the wrong format',
  url: 'must be a URL',
  datetime: 'must be an ISO 8601 time',
};

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

const unit = (origin: string, n: number | bigint) => {
  if (origin === 'string') return `${n} characters`;
  if (origin === 'array' || origin === 'set') return `${n} items`;
  return String(n);
};

/**
 * What is wrong with one field, in words a developer can act on ("must be 8 to 128 characters",
 * "is required", "must be one of: \"wechat\", \"qq\""). Zod's mini build ships no messages
 * ("Invalid input"), so every request schema is parsed with this as its error map; a message a
 * schema sets itself wins.
 *
 * @example
 * RegisterBody.safeParse(body, { error: describeIssue })
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `must be at least ${unit(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `must be at most ${unit(issue.origin, issue.maximum)}`;
    case 'invalid_format':
      return FORMATS[issue.format] ?? `must be a valid ${issue.format}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quoted(issue.values)}`
        : `must be one of: ${quoted(issue.values)}`;
    case 'unrecognized_keys':
      return `has unknown fields: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_key':
    case 'invalid_element':
      return 'has an invalid entry';
    default:
      return 'is not valid';
  }
}
