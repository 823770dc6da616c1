import type { BrokerEvent, HistoryPage } from '../broker/broker.interface.js';

/**
 * The JSON history answer, written by hand around the stored JSON text of each event so
 * the payloads are not parsed and serialized again.
 */
export function historyJson(page: HistoryPage): string {
  const events = page.events.map(eventJson).join(',');
  const reset = page.reset ? `,"reset":{"reason":${JSON.stringify(page.reset)},"head":${JSON.stringify(page.cursor)}}` : '';
  return `{"events":[${events}],"head":${JSON.stringify(page.head)}${reset}}`;
}

function eventJson(event: BrokerEvent): string {
  return (
    `{"id":${JSON.stringify(event.id)},"event":${JSON.stringify(event.event ?? 'message')},` +
    `"data":${event.data},"time":${JSON.stringify(new Date(event.time).toISOString())}}`
  );
}
