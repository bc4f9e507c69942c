import { Aws, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Tag key that marks a deployment's alert topic; its value is the stage. IAM conditions read it. */
export const ALERT_TOPIC_TAG_KEY = 'linkguard:alert-topic';

/** The alert topic as the functions that publish to it need it: its ARN and the tag that marks it. */
export interface AlertTopicRef {
  topic: ITopic;
  /** The tag on the topic (`aws:ResourceTag/<key>` = `<value>` in IAM conditions). */
  tag: { key: string; value: string };
  /** ARN pattern of the topic's subscriptions (`<topic ARN>:<id>`), built from its fixed name. */
  subscriptionArns: string;
}

/**
 * The SNS topic every bank-link alert is published to (message attributes `eventType`, `userId`,
 * `itemId`), where e-mail subscriptions (filter policy on `userId`) and other consumers listen.
 * Encrypted with the AWS-managed `aws/sns` key, publish only over TLS, retained with its
 * subscriptions if the stack goes, and tagged so that IAM can tell it from every other topic
 * (see `ServiceFunction.useAlerts`).
 *
 * @example
 * const alerts = new AlertTopic(this, 'Alerts', { stage: 'prod' });
 * fn.useAlerts(alerts.ref, {});
 */
export class AlertTopic extends Construct {
  readonly topic: Topic;
  readonly ref: AlertTopicRef;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    const topicName = `linkguard-${props.stage}-alerts`;
    this.topic = new Topic(this, 'Topic', {
      // Named, so that IAM statements can name its subscriptions without a cross-stack token.
      topicName,
      displayName: 'LinkGuard alerts',
      // aws/sns rather than a key of ours: its key policy lets any principal of the account use it
      // through SNS, so publishers need no KMS permission, and it costs nothing. Our publishers are
      // Lambda roles; AWS services that publish (CloudWatch, EventBridge) would need a CMK.
      masterKey: Alias.fromAliasName(this, 'AwsManagedKey', 'alias/aws/sns'),
      // A topic policy that denies sns:Publish without TLS. It also replaces SNS's default topic
      // policy, so only principals whose own IAM policy allows it may publish.
      enforceSSL: true,
    });
    // E-mail subscriptions (users' alert addresses) live on the topic: keep them if the stack goes.
    this.topic.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const tag = { key: ALERT_TOPIC_TAG_KEY, value: props.stage };
    Tags.of(this.topic).add(tag.key, tag.value);
    this.ref = {
      topic: this.topic,
      tag,
      subscriptionArns: `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${topicName}:*`,
    };
  }
}
