/** The request body encodings a route accepts. */
export type BodyFormat = 'json' | 'form';

/** How a route answers errors: RFC 9457 problem documents, or RFC 6749 §5.2 for the token endpoint. */
export type ErrorFormat = 'problem' | 'oauth';
