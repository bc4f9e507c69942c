import { httpFunction } from '../composition/http-function';
import { sendSmsCodeUseCase } from '../composition/identities';
import { countedSmsCode } from '../composition/metrics';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const sendSmsCode = once(sendSmsCodeUseCase);

/** `POST /v1/auth/sms/send`: text a sign-in code, within the per-phone, per-IP and daily limits. */
export const handler = httpFunction('smsSend', async ({ body, client }) =>
  json(202, await countedSmsCode(sendSmsCode()(body.phone, client))),
);
