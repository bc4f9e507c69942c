/** Sends text messages. Throws an AppError `SMS_UNAVAILABLE` when the provider fails. */
export interface SmsSender {
  send(input: { phone: string; message: string }): Promise<void>;
}
