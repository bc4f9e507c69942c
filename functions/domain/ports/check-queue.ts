/** One Item to check, as the dispatcher hands it to the workers. */
export interface CheckMessage {
  itemId: string;
  dispatchedAt: string;
}

/** Items to check, handed from the dispatcher to the workers. */
export interface CheckQueue {
  enqueue(messages: CheckMessage[]): Promise<void>;
}
