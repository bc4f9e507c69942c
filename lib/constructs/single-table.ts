import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition } from '../../functions/adapters/dynamo/table-definition';

/**
 * The one DynamoDB table, built from the same definition the local runtime uses
 * (`functions/adapters/dynamo/table-definition.ts`), so keys, indexes and TTL cannot differ
 * between AWS and DynamoDB Local. Its data is the system's state: on-demand, point-in-time
 * recovery, deletion protection, and retained if its stack is deleted.
 *
 * @example
 * const { table } = new SingleTable(this, 'Data');
 */
export class SingleTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The aws/dynamodb KMS key: key use shows in CloudTrail, and no key policy of ours to keep.
      // Plaid access tokens get their own envelope encryption in the application on top of this.
      encryption: TableEncryption.AWS_MANAGED,
    });
    for (const gsi of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        // gsi1 serves many entities and each query needs the whole item (ALL); the poller's gsi2
        // needs only Item ids (KEYS_ONLY). DynamoDB adds one index per table update: see
        // docs/deploying.md before adding another.
        projectionType: gsi.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      });
    }
  }
}
