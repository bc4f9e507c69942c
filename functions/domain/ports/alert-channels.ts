/** What an alert on the topic is about. */
export type AlertEventType = 'item.needs_action' | 'item.reminder' | 'item.restored';

/** Where alerts go: the user's phone, and the alert topic (email and other subscribers). */
export interface AlertChannels {
  sendSms(input: { phone: string; message: string }): Promise<void>;
  publishEvent(input: {
    eventType: AlertEventType;
    userId: string;
    itemId: string;
    subject: string;
    message: string;
  }): Promise<void>;
}
