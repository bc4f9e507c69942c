import { App } from 'aws-cdk-lib';
import { addComplianceChecks, addLinkGuard } from '../lib/linkguard';

/**
 * The CDK app: `npx cdk synth`, `npx cdk deploy --all [-c stage=prod]` (see docs/deploying.md).
 * cdk-nag's AWS Solutions checks run on every synth; an unacknowledged finding fails it.
 */
const app = new App();
addLinkGuard(app);
addComplianceChecks(app);
app.synth();
