// The demo page: the client's browser bundle, no framework.
import { SseClient } from '/assets/sse-client.js';

const params = new URLSearchParams(location.search);
const sharedParam = params.get('shared');
const client = new SseClient({ shared: sharedParam === '0' ? false : sharedParam === 'leader' ? 'leader' : true });
const channels = params.getAll('channel').flatMap((c) => c.split(',')).filter(Boolean);
if (channels.length === 0) channels.push('demo');
const MAX_ROWS = 200;

const $ = (id) => document.getElementById(id);
const statusEl = $('status');
let subscriptions = [];
let count = 0;

function connect() {
  subscriptions.forEach((s) => s.unsubscribe());
  subscriptions = [];
  renderChannels();
  if (channels.length === 0) return setState({ status: 'closed', instance: null });
  const channel = client.channel(channels);
  subscriptions.push(channel.state$.subscribe(setState), channel.events$.subscribe(addEvent));
}

const shortId = (id) => (id.length > 30 ? `${id.slice(0, 12)}…${id.slice(-14)}` : id);

/**
 * What to show for an id. A several-channel stream's id is an opaque token (base64url JSON of
 * every channel's position); for a reader the event's own channel position says more. Display
 * only: the client never looks inside tokens.
 */
function displayId(id, channel) {
  if (channels.length < 2) return shortId(id);
  try {
    const positions = JSON.parse(atob(id.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof positions[channel] === 'string' ? shortId(positions[channel]) : shortId(id);
  } catch {
    return shortId(id);
  }
}
let lastShown = '';

function logState(state) {
  const line = `${state.status}|${state.instance}|${state.error}`;
  if (line === lastShown) return;
  lastShown = line;
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  const pill = document.createElement('span');
  pill.className = 'pill';
  pill.dataset.status = state.status;
  pill.textContent = state.status;
  const detail = document.createElement('span');
  detail.className = 'detail';
  detail.textContent = [state.instance && `on ${state.instance}`, state.error].filter(Boolean).join(' · ');
  item.append(time, pill, detail);
  const timeline = $('timeline');
  timeline.prepend(item);
  while (timeline.children.length > 6) timeline.lastElementChild.remove();
}

function setState(state) {
  logState(state);
  statusEl.textContent = state.status + (state.status === 'reconnecting' && state.error ? ` · ${state.error}` : '');
  statusEl.dataset.status = state.status;
  $('stream-instance').textContent = state.instance ?? '—';
  document.body.dataset.status = state.status;
  showSharing();
}

function showSharing() {
  const label = {
    worker: 'one stream (SharedWorker)',
    leader: client.leading ? 'one stream (this tab leads)' : 'one stream (another tab leads)',
    local: 'no (this tab only)',
  }[client.sharing];
  $('sharing').textContent = label;
}

function addEvent(event) {
  const row = document.createElement('tr');
  row.dataset.id = event.id;
  row.dataset.channel = event.channel;
  row.dataset.event = event.event;
  row.className = event.event === 'reset' ? 'reset fresh' : 'fresh';
  const cells = [new Date().toLocaleTimeString(), event.channel, event.event, event.id, JSON.stringify(event.data)];
  cells.forEach((text, i) => {
    const cell = document.createElement('td');
    if (i === 1) {
      const tag = document.createElement('span');
      tag.className = 'tag';
      tag.textContent = text;
      cell.append(tag);
    } else {
      cell.textContent = text;
    }
    if (i === 3) {
      cell.className = 'mono id';
      cell.title = text;
      cell.textContent = displayId(text, event.channel);
    }
    if (i === 4) cell.className = 'mono data';
    row.append(cell);
  });
  const log = $('log');
  log.prepend(row);
  while (log.rows.length > MAX_ROWS) log.deleteRow(log.rows.length - 1);
  setTimeout(() => row.classList.remove('fresh'), 1200);
  $('count').textContent = String(++count);
  $('empty').hidden = true;
  $('last-id').textContent = `resumes from ${shortId(event.id)}`;
}

function renderChannels() {
  const list = $('channel-list');
  list.replaceChildren(
    ...channels.map((name) => {
      const item = document.createElement('li');
      item.textContent = name;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '×';
      remove.title = `stop listening to ${name}`;
      remove.onclick = () => {
        channels.splice(channels.indexOf(name), 1);
        connect();
      };
      item.append(remove);
      return item;
    }),
  );
  const select = $('publish-channel');
  const chosen = select.value;
  select.replaceChildren(...channels.map((name) => new Option(name, name, false, name === chosen)));
}

$('channels-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('channel-input');
  const name = input.value.trim();
  if (name && !channels.includes(name)) {
    channels.push(name);
    connect();
  }
  input.value = '';
});

$('publish-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const result = $('publish-result');
  let data;
  try {
    data = JSON.parse($('publish-data').value);
  } catch {
    result.textContent = 'data is not JSON';
    result.className = 'mono error';
    return;
  }
  try {
    const id = await client.publish($('publish-channel').value, $('publish-event').value || 'message', data);
    result.textContent = `stored as ${id}`;
    result.className = 'mono ok';
  } catch (error) {
    result.textContent = error.message;
    result.className = 'mono error';
  }
});

$('clear').addEventListener('click', () => {
  $('log').replaceChildren();
  count = 0;
  $('count').textContent = '0';
  $('empty').hidden = false;
});

document.querySelectorAll('.origin').forEach((el) => (el.textContent = location.origin));
showSharing();
connect();
