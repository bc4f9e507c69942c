import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/adapters/dynamo/table-definition';
import { actionsWithPrefix, logicalIdOf, statementsOfRole, synthesize } from './fixture';

const { stateful, api, data } = synthesize();

describe('Class: StatefulStack', () => {
  describe('Resource: table', () => {
    it('uses the keys of the shared table definition', () => {
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('has exactly the global secondary indexes of the definition, with their projections', () => {
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((gsi) => ({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: gsi.projection },
        })),
      });
    });

    it('enables TTL on the attribute of the definition (expiresAt)', () => {
      expect(tableDefinition.timeToLiveAttribute).toBe('expiresAt');
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    it('has point-in-time recovery, deletion protection and encryption on', () => {
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('is retained when the stack is deleted or the table replaced', () => {
      data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('is the only table', () => {
      data.resourceCountIs('AWS::DynamoDB::Table', 1);
    });
  });

  describe('Stack', () => {
    it('has termination protection on, and the stateless stack does not', () => {
      expect(stateful.terminationProtection).toBe(true);
      expect(api.terminationProtection).toBe(false);
    });

    it('is deployed before the API stack, which depends on it', () => {
      expect(api.dependencies).toContain(stateful);
    });
  });

  describe('Resource: signing-key secret', () => {
    it('starts as an empty key set, for the bootstrap to fill', () => {
      data.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"keys":[]}' });
    });

    it('is retained when the stack is deleted, like the table', () => {
      data.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('is filled by the bootstrap custom resource, given the secret', () => {
      const secretId = logicalIdOf(stateful.signingKeys);
      data.hasResourceProperties('Custom::SigningKeyBootstrap', {
        ServiceToken: Match.anyValue(),
        SecretId: { Ref: secretId },
      });
    });

    it('lets the bootstrap function read and write that secret, and nothing else of Secrets Manager', () => {
      // Prepare
      const secretId = logicalIdOf(stateful.signingKeys);
      const roles = data.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('^Runs signing-key-bootstrap') },
      });
      const [roleId] = Object.keys(roles);

      // Act
      const statements = statementsOfRole(data, roleId ?? 'missing');

      // Assess
      expect(actionsWithPrefix(statements, 'secretsmanager:')).toEqual([
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ]);
      expect(actionsWithPrefix(statements, 'dynamodb:')).toEqual([]);
      const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
      expect(secretStatements.map((s) => s.Resource)).toEqual([{ Ref: secretId }]);
    });
  });
});
