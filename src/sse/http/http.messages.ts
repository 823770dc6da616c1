// Every text the HTTP API shows a client, in one place.

export const notAcceptable = 'this URL serves text/event-stream or application/json';

export const bodyTooLarge = (maxBytes: number) => `the body is larger than the ${maxBytes} bytes accepted`;

export const bodyNotJson = (reason: string) => `the body is not valid JSON: ${reason}`;

export const unsupportedMediaType = (type: string) =>
  `Content-Type ${JSON.stringify(type.slice(0, 100))} is not accepted: send application/json (or any application/*+json type)`;

export const publishBodyRequired =
  'a JSON body is required: {"data": <any JSON>, "event": "<type>"?} with Content-Type: application/json';

export const publishBodyNotObject = 'the body must be a JSON object: {"data": <any JSON>, "event": "<type>"?}';

export const publishUnknownFields = (fields: readonly string[]) =>
  `unknown field(s) ${fields.map((k) => JSON.stringify(k)).join(', ')}: only "data" and "event" are accepted`;

export const publishEventNotString = '"event" must be a string';

export const syncBodyNotObject = 'the body must be a JSON object: {"channel": "<name>"} or {"channels": ["<name>", …]}';

export const syncBodyShape = 'give either "channel": "<name>" or "channels": ["<name>", …]';

export const syncLastEventIdInvalid = '"lastEventId" must be an event id the stream gave (1-1024 visible ASCII characters)';

export const historyLimitInvalid = (max: number) => `limit must be a whole number from 1 to ${max}`;

export const historyAfterInvalid = 'after must be an event id';

export const channelListRequired = 'at least one ?channel= is required';
