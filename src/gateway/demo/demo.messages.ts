/** The demo's files are built, not checked in: say how to get them. */
export const demoAssetMissing = (file: string) => `${file} is not built: run npm run build (it bundles the client and the demo page into dist/public)`;

/** A page switched off (`SSE_DEMO=false`) answers as a route that does not exist (Express' own words). */
export const notServed = (method: string, path: string) => `Cannot ${method} ${path}`;
