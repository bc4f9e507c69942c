import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { addLinkGuard } from '../../lib/linkguard';

/** One IAM policy statement as it appears in a template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * Builds the LinkGuard app as `bin/app.ts` does, without bundling any asset (the tests read
 * templates, not code), and synthesizes both stacks.
 */
export function synthesize(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = addLinkGuard(app);
  return {
    app,
    ...stacks,
    data: Template.fromStack(stacks.stateful),
    apiTemplate: Template.fromStack(stacks.api),
  };
}

/** The logical id of a construct's CloudFormation resource (its own, or its default child's). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every permission statement in the template: policies, managed policies and inline role policies. */
export function allStatements(template: Template): Statement[] {
  const documents: { Statement: Statement[] }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    documents.push(policy.Properties.PolicyDocument);
  }
  for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy'))) {
    documents.push(policy.Properties.PolicyDocument);
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) documents.push(inline.PolicyDocument);
  }
  return documents.flatMap((document) => document.Statement);
}

/** The statements of the policies attached to one role (by the role's logical id). */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The distinct actions with a given service prefix (`dynamodb:`) among some statements, sorted. */
export function actionsWithPrefix(statements: Statement[], prefix: string): string[] {
  const actions = statements.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith(prefix));
  return [...new Set(actions)].sort();
}
