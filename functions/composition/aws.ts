import { type AwsClients, awsClients } from '../adapters/aws-clients';
import { memo } from './runtime';

/** The container's AWS SDK clients, each created once on first use and injected into the adapters. */
export const aws = (): AwsClients =>
  memo('awsClients', ({ config }) => awsClients({ region: config.region }));
