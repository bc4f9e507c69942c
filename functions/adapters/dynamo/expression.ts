/**
 * One DynamoDB expression with its placeholders. Conditions and updates of one write are merged,
 * so their placeholders must differ.
 */
export interface Expression {
  expression: string;
  values?: Record<string, unknown>;
  names?: Record<string, string>;
}

/** The conditions many writes use. */
export const conditions = {
  /** The item must not exist: what makes a key unique. */
  absent: { expression: 'attribute_not_exists(pk)' },
  /** The item must exist: an update never creates one. */
  present: { expression: 'attribute_exists(pk)' },
  /** The item must belong to `userId`. */
  ownedBy: (userId: string): Expression => ({ expression: 'userId = :owner', values: { ':owner': userId } }),
} as const;

/**
 * The `…Expression` members of a command with their `ExpressionAttributeValues` and `…Names`
 * merged.
 *
 * @example
 * expressionInput({ UpdateExpression: set, ConditionExpression: conditions.present })
 */
export function expressionInput(expressions: Record<string, Expression>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  let values: Record<string, unknown> = {};
  let names: Record<string, string> = {};
  for (const [member, expression] of Object.entries(expressions)) {
    input[member] = expression.expression;
    values = { ...values, ...expression.values };
    names = { ...names, ...expression.names };
  }
  if (Object.keys(values).length > 0) input.ExpressionAttributeValues = values;
  if (Object.keys(names).length > 0) input.ExpressionAttributeNames = names;
  return input;
}

/** The `ConditionExpression` members of a command, or none. */
export function conditionInput(condition: Expression | undefined): Record<string, unknown> {
  return condition === undefined ? {} : expressionInput({ ConditionExpression: condition });
}
