import { countedSmsCode } from '../adapters/operational-metrics';
import { routes } from '../api/routes';
import { sendSmsCodeUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const sendSmsCode = once(sendSmsCodeUseCase);

/** `POST /v1/auth/sms/send`: text a sign-in code, within the per-phone, per-IP and daily limits. */
export const handler = httpHandler(routes.smsSend, async ({ body, client }) =>
  json(202, await countedSmsCode(sendSmsCode()(body.phone, client))),
);
