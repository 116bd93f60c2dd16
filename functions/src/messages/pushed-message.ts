/** The Pub/Sub message inside a `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent. */
export interface PushedMessage {
  /** The message data, decoded from base64. */
  data: Uint8Array;
  attributes: Record<string, string>;
  messageId?: string;
}

export type MessageResult = { ok: true; message: PushedMessage } | { ok: false; reason: string };

/**
 * Takes the message out of a CloudEvent's data (`{ message: { data: base64, attributes,
 * messageId }, subscription? }`), as functions-framework builds it from a Pub/Sub push or
 * Eventarc delivers it. Anything else is a permanent error: retrying cannot fix it.
 */
export function pushedMessageOf(eventData: unknown): MessageResult {
  const message = (eventData as { message?: unknown } | null | undefined)?.message as
    | { data?: unknown; attributes?: unknown; messageId?: unknown }
    | undefined;
  if (message === undefined || message === null || typeof message !== 'object') {
    return { ok: false, reason: 'CloudEvent data has no Pub/Sub message' };
  }
  if (typeof message.data !== 'string' || message.data === '') {
    return { ok: false, reason: 'Pub/Sub message has no data' };
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(message.data)) {
    return { ok: false, reason: 'Pub/Sub message data is not base64' };
  }
  const attributes: Record<string, string> = {};
  if (message.attributes !== null && typeof message.attributes === 'object') {
    for (const [key, value] of Object.entries(message.attributes)) {
      if (typeof value === 'string') attributes[key] = value;
    }
  }
  return {
    ok: true,
    message: {
      data: new Uint8Array(Buffer.from(message.data, 'base64')),
      attributes,
      ...(typeof message.messageId === 'string' && { messageId: message.messageId }),
    },
  };
}
