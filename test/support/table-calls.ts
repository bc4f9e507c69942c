import { table } from '../../functions/composition/accounts';
import { currentFunction } from '../../local/function-scope';

/**
 * Records the DynamoDB commands one function makes through the shared table client, by command
 * name (`UpdateItemCommand`, `QueryCommand`, …). Call it after the test runtime has started;
 * the returned function hands over the calls recorded since its last call.
 *
 * @example
 * const takeCalls = recordTableCalls('login');
 * await login('alice', PASSWORD);
 * expect(takeCalls()).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand', 'QueryCommand']);
 */
export function recordTableCalls(functionName: string): () => string[] {
  let calls: string[] = [];
  table().client.middlewareStack.add(
    (next, context) => async (args) => {
      if (currentFunction() === functionName) calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: `tableCalls-${functionName}` },
  );
  return () => {
    const taken = calls;
    calls = [];
    return taken;
  };
}
