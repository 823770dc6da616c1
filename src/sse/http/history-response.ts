import type { BrokerEvent, HistoryPage } from '../broker/broker.interface.js';

/**
 * The JSON history answer, written by hand around the stored JSON text of each event so
 * the payloads are not parsed and serialized again: `{"events": [...], "head": <id or
 * null on an empty channel>}`, and `"reset": {"reason", "head"}` when `after` could not
 * be resumed from.
 */
export function historyJson(page: HistoryPage): string {
  const events = page.events.map(eventJson).join(',');
  const head = page.head.isStart ? 'null' : JSON.stringify(page.head.toString());
  const reset = page.reset ? `,"reset":{"reason":${JSON.stringify(page.reset)},"head":${JSON.stringify(page.head.toString())}}` : '';
  return `{"events":[${events}],"head":${head}${reset}}`;
}

function eventJson(event: BrokerEvent): string {
  return (
    `{"id":${JSON.stringify(event.position.toString())},"event":${JSON.stringify(event.event ?? 'message')},` +
    `"data":${event.data},"time":${JSON.stringify(new Date(event.time).toISOString())}}`
  );
}
