import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installedVersion, npmInstall, packProject, ROOT, run, startNodeApp, tsc, type NodeApp, type PackedTarball } from './support/packed-package.js';
import { openStream, post, request } from './support/sse-client.js';

// What `npm pack` makes of the project, checked the way a team meets it: its file list,
// publint and Are The Types Wrong on the tarball, and applications that install it, compile
// against its types and run: CommonJS (the classic `nest new` shape, and the nodenext one)
// and ESM.

const BIN = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let work: string;
let tarball: PackedTarball;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'sse-package-'));
  tarball = await packProject(work);
  process.stdout.write(`  ${path.basename(tarball.file)}: ${tarball.files.length} files, ${(tarball.size / 1024).toFixed(1)} KiB (${(tarball.unpackedSize / 1024).toFixed(1)} KiB unpacked)\n`);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds dist/, README.md, LICENSE, CHANGELOG.md and package.json, and nothing else', () => {
    const paths = tarball.files.map((f) => f.path);
    const outside = paths.filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(p));
    expect(outside).toEqual([]);
    for (const top of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) expect(paths).toContain(top);
    // No sources, tests, test helpers or source maps (their sources do not ship, so neither do they).
    expect(paths.filter((p) => /\.map$|\.spec\.|\/testing\/|\.tsbuildinfo$|^src\/|^test\//.test(p))).toEqual([]);
    // Every entry point, with its declarations.
    for (const file of [
      'dist/main.js',
      'dist/sse/index.js',
      'dist/sse/index.d.ts',
      'dist/sse/internals.js',
      'dist/sse/internals.d.ts',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/client/react/index.js',
      'dist/client/react/index.d.ts',
      'dist/client/angular/index.js',
      'dist/client/angular/index.d.ts',
      'dist/client/shared-worker.js',
      'dist/public/index.html',
      'dist/public/sse-client.js',
    ]) {
      expect({ file, packed: paths.includes(file) }).toEqual({ file, packed: true });
    }
    // Each compiled module beside its declarations.
    const js = paths.filter((p) => p.endsWith('.js') && !p.startsWith('dist/public/'));
    expect(js.filter((p) => !paths.includes(p.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });

  it('is publishable: not private, MIT with its text, the framework as peer dependencies, a Node that can require() it', () => {
    const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect({ private: pkg.private, license: pkg.license, licenseText: license.split('\n')[0] }).toEqual({ private: undefined, license: 'MIT', licenseText: 'MIT License' });
    for (const peer of ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'rxjs', 'reflect-metadata']) {
      expect({ peer, range: typeof pkg.peerDependencies[peer], dependency: pkg.dependencies[peer] }).toEqual({ peer, range: 'string', dependency: undefined });
    }
    // require(esm) without a flag: 20.19 on the 20 line, 22.12 on the 22 line.
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[Unreleased\]/m);
  });

  it('passes publint (strict: warnings count)', async () => {
    const result = await run(BIN('publint'), ['run', '--strict', tarball.file], work, 60_000);
    expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.stringContaining('All good!') });
  }, 60_000);

  it('passes Are The Types Wrong for every entry point under node10, node16 (from CommonJS and ESM) and bundler', async () => {
    const result = await run(
      BIN('attw'),
      [
        tarball.file,
        '--format', 'json',
        // Nothing to fetch: the package has its own types.
        '--no-definitely-typed',
        // By design: the package is ESM only, and attw's TypeScript (5.6) predates require(esm),
        // so it reports every entry point "ESM (dynamic import only)" to CommonJS under node16.
        // Node 20.19+ and 22.12+ (engines) require() it, which the CommonJS apps below do.
        '--ignore-rules', 'cjs-resolves-to-esm',
      ],
      work,
      90_000,
    );
    const report = JSON.parse(result.output.slice(result.output.indexOf('{')));
    // The JSON lists the ignored kind too: it must be the only one, and only where expected.
    const problems = report.problems as Record<string, { kind: string; resolutionKind: string }[]>;
    expect({ code: result.code, kinds: Object.keys(problems) }).toEqual({ code: 0, kinds: ['CJSResolvesToESM'] });
    expect([...new Set(problems.CJSResolvesToESM!.map((p) => p.resolutionKind))]).toEqual(['node16-cjs']);
    const entrypoints = report.analysis.entrypoints as Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
    expect(Object.keys(entrypoints).sort()).toEqual(['.', './client', './client/angular', './client/react', './client/shared-worker.js', './internals', './package.json']);
    // Each resolves to declarations in every mode, node10 (typesVersions) included.
    for (const [entry, { resolutions }] of Object.entries(entrypoints)) {
      if (entry === './package.json') continue;
      for (const mode of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
        expect({ entry, mode, types: resolutions[mode]?.resolution?.fileName }).toEqual({ entry, mode, types: expect.stringMatching(/\/dist\/.*\.d\.ts$/) });
      }
    }
  }, 90_000);
});

// One application source, compiled three ways. It imports each entry point's types, mounts
// the module's HTTP API, injects a typed channel and serves its own @Sse() route, on the
// module's Express adapter.
const APP_SOURCE = `import 'reflect-metadata';
import { Body, Controller, Module, Post, Sse, type MessageEvent } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { Channel, InjectChannel, LastEventId, SseExpressAdapter, SseModule, type ChannelAuthorizer } from 'nest-sse-gateway';
import { SSE_DEFAULTS } from 'nest-sse-gateway/internals';
import type { SseClientOptions } from 'nest-sse-gateway/client';
import type { useChannel } from 'nest-sse-gateway/client/react';

type PingEvents = { ping: { n: number } };
const clientOptions: SseClientOptions = { baseUrl: '/' };
type Hook = typeof useChannel;
let authorizer: ChannelAuthorizer | undefined;

@Controller('pings')
class PingController {
  constructor(@InjectChannel('pings') private readonly pings: Channel<PingEvents>) {}

  @Post()
  async create(@Body() body: { n: number }): Promise<{ id: string }> {
    return { id: await this.pings.next({ event: 'ping', data: { n: body.n } }) };
  }

  @Sse('stream')
  stream(@LastEventId() lastEventId?: string): Observable<MessageEvent> {
    return this.pings.stream({ lastEventId });
  }
}

@Module({
  imports: [SseModule.forRoot({ http: { prefix: 'sse', authorizer } }), SseModule.forFeature([{ name: 'pings' }])],
  controllers: [PingController],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, new SseExpressAdapter(), { logger: ['error', 'warn'] });
  app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  const format = typeof require === 'function' && typeof module === 'object' ? 'commonjs' : 'esm';
  console.log(\`listening on \${process.env.PORT} as \${format} (history limit \${SSE_DEFAULTS.historyLimit}, client base \${clientOptions.baseUrl}, \${typeof (null as Hook | null)})\`);
}
void bootstrap();
`;

const COMMON_OPTIONS = {
  target: 'ES2023',
  declaration: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  strict: true,
  // As `nest new` sets it. (Checking every library's declarations too costs 30 s of CPU per
  // compile; what the application uses of ours is checked either way.)
  skipLibCheck: true,
  types: ['node'],
  outDir: './dist',
  rootDir: './src',
};

const APPS = {
  // `nest new` before Nest 11: CommonJS, `module: commonjs`, node10 resolution (which
  // TypeScript 6 keeps behind ignoreDeprecations): main/types and typesVersions.
  'commonjs-node10': { type: 'commonjs', compilerOptions: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' } },
  // `nest new` since Nest 11: CommonJS output from `module: nodenext` (the exports map).
  'commonjs-nodenext': { type: 'commonjs', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  // An ESM application: "type": "module", `module: nodenext`.
  esm: { type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
} as const;

describe('applications that install the tarball', () => {
  let dir: string;
  const compiled = new Map<string, Promise<{ code: number | null; output: string }>>();
  const running: NodeApp[] = [];

  beforeAll(async () => {
    // One install serves the three applications (npm installs the same tree whatever the
    // module format): each is a folder with its own package.json ("type") and tsconfig.json
    // under it, resolving the package and its peers from the node_modules above.
    dir = path.join(work, 'apps');
    mkdirSync(dir);
    const peers = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs', '@types/node', '@types/express', '@types/react'];
    const dependencies = Object.fromEntries([[pkg.name, `file:${tarball.file}`], ...peers.map((name) => [name, installedVersion(name)])]);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumers', private: true, dependencies }, null, 2));
    await npmInstall(dir);
    for (const [name, app] of Object.entries(APPS)) {
      mkdirSync(path.join(dir, name, 'src'), { recursive: true });
      writeFileSync(path.join(dir, name, 'package.json'), JSON.stringify({ name, private: true, type: app.type }));
      writeFileSync(path.join(dir, name, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...COMMON_OPTIONS, ...app.compilerOptions }, include: ['src'] }, null, 2));
      writeFileSync(path.join(dir, name, 'src/main.ts'), APP_SOURCE);
    }
    // Two at a time (the machine has two cores); each test awaits its own.
    const node10 = tsc(path.join(dir, 'commonjs-node10/tsconfig.json'));
    const nodenext = tsc(path.join(dir, 'commonjs-nodenext/tsconfig.json'));
    const esm = nodenext.catch(() => undefined).then(() => tsc(path.join(dir, 'esm/tsconfig.json')));
    compiled.set('commonjs-node10', node10).set('commonjs-nodenext', nodenext).set('esm', esm);
    // Awaited in the tests; a timeout before then is not an unhandled rejection.
    for (const build of compiled.values()) build.catch(() => undefined);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running.map((app) => app.kill()));
  });

  it.each(Object.keys(APPS))('%s: compiles against the package\'s types, loads it and serves the module\'s routes and its own', async (name) => {
    const build = await compiled.get(name)!;
    expect({ code: build.code, output: build.output }).toEqual({ code: 0, output: '' });
    const emitted = readFileSync(path.join(dir, name, 'dist/main.js'), 'utf8');
    if (APPS[name as keyof typeof APPS].type === 'commonjs') expect(emitted).toContain('require("nest-sse-gateway")');
    else expect(emitted).toContain("from 'nest-sse-gateway'");

    const app = await startNodeApp(['dist/main.js'], path.join(dir, name));
    running.push(app);
    expect(app.output()).toContain(`as ${APPS[name as keyof typeof APPS].type === 'commonjs' ? 'commonjs' : 'esm'} (history limit 1000, client base /, object)`);

    const stream = await openStream(`${app.url}/pings/stream`);
    const first = await post(`${app.url}/pings`, { n: 1 });
    const second = await post(`${app.url}/sse/channels/pings/events`, { event: 'ping', data: { n: 2 } });
    expect([first.status, second.status, second.body.channel]).toEqual([201, 201, 'pings']);
    await stream.waitForEvents(2);
    expect(stream.parser.events.map((e) => [e.lastEventId, e.type, e.data])).toEqual([
      [first.body.id, 'ping', '{"n":1}'],
      [second.body.id, 'ping', '{"n":2}'],
    ]);
    stream.close();
    const history = await request('GET', `${app.url}/sse/channels/pings/events`, { headers: { accept: 'application/json' } });
    expect(history.body.events.map((e: { id: string }) => e.id)).toEqual([first.body.id, second.body.id]);

    await new Promise((r) => setTimeout(r, 100));
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('runs the ready gateway from the installed package (its bin) and stops it on SIGTERM', async () => {
    const bin = path.join(dir, 'node_modules/.bin/nest-sse-gateway');
    expect({ shebang: readFileSync(bin, 'utf8').split('\n')[0], executable: (statSync(bin).mode & 0o111) !== 0 }).toEqual({ shebang: '#!/usr/bin/env node', executable: true });
    const gateway = await startNodeApp([bin], dir, { INSTANCE_ID: 'from-package' });
    running.push(gateway);
    expect(gateway.output()).toMatch(/instance from-package listening on 127\.0\.0\.1:\d+ \(in-memory broker/);
    const [live, page, published] = await Promise.all([
      request('GET', `${gateway.url}/health/live`),
      request('GET', `${gateway.url}/`),
      post(`${gateway.url}/channels/news/events`, { data: { n: 1 } }),
    ]);
    expect([live.status, page.status, page.headers['content-type'], published.status]).toEqual([200, 200, expect.stringMatching(/^text\/html/), 201]);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
