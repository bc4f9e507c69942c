/**
 * The operational metrics the handlers count around their use case. Handlers reach adapters only
 * through the composition root (docs/architecture.md), so the counters are handed out here.
 */
export {
  countedSignIn,
  countedSignUp,
  countedSmsCode,
  countItemCheck,
  countOperatorFault,
  countPollerPaused,
  countWebhook,
  type SignInMethod,
} from '../adapters/operational-metrics';
