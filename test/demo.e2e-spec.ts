import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { request } from './support/sse-client.js';

// What the gateway serves for the demo: the page (naming its instance) and the client's bundle.
describe('demo page and client bundle', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess({ INSTANCE_ID: 'gw-demo<1>' });
  }, 30_000);
  afterAll(() => gateway?.stop());

  it('serves the page at / with the instance that served it, escaped', async () => {
    const page = await request('GET', `${gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-instance-id']).toBe('gw-demo<1>');
    expect(page.text).toContain('<dd id="page-instance" class="mono">gw-demo&#60;1&#62;</dd>');
    expect(page.text).toContain('<script type="module" src="/assets/demo.js"></script>');
  });

  it('serves the browser bundle, its shared worker, the page script and style', async () => {
    for (const [file, type] of [
      ['sse-client.js', 'text/javascript; charset=utf-8'],
      ['shared-worker.js', 'text/javascript; charset=utf-8'],
      ['demo.js', 'text/javascript; charset=utf-8'],
      ['pages.css', 'text/css; charset=utf-8'],
      ['demo.css', 'text/css; charset=utf-8'],
    ]) {
      const answer = await request('GET', `${gateway.url}/assets/${file}`);
      expect({ file, status: answer.status, type: answer.headers['content-type'] }).toEqual({ file, status: 200, type });
    }
    const bundle = await request('GET', `${gateway.url}/assets/sse-client.js`);
    expect(bundle.text).toMatch(/export\s*\{[^}]*\bSseClient\b/);
    expect(bundle.text).toContain('shared-worker.js');
  });

  it('answers 404 for anything else under /assets', async () => {
    for (const file of ['index.html', '..%2Fmain.js', 'nope.js']) {
      const answer = await request('GET', `${gateway.url}/assets/${file}`);
      expect({ file, status: answer.status }).toEqual({ file, status: 404 });
    }
  });
});
