#!/usr/bin/env node
// `npm run start:cluster`: the gateway on every core (README: Every core). The same entry as
// `main.js`, except that SSE_WORKERS defaults to `auto` (one worker per core) instead of 1.
if (!process.env.SSE_WORKERS?.trim()) process.env.SSE_WORKERS = 'auto';
await import('./main.js');
