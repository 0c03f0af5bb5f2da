import { request } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, serveWebPage } from '../../scripts/web.mjs';

/**
 * The page server (`npm run web`, the browser tests) under bad requests: each gets its 4xx and the server
 * stays up. Requests go out byte for byte as written (node:http), not normalised as fetch would.
 */

let server: { url: string; close(): Promise<void> };
let port: number;

function get(path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'webgpu-aae-server-'));
  const page = join(root, 'page');
  mkdirSync(page);
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(root, 'secret.txt'), 'outside the page');
  server = await serveWebPage({ directory: page, port: 0 });
  port = Number(new URL(server.url).port);
});

afterAll(() => server?.close());

describe('the page server', () => {
  it('serves the page', async () => {
    expect(await get('/')).toEqual({ status: 200, body: '<!doctype html><title>page</title>' });
    expect((await get('/index.html', 'HEAD')).status).toBe(200);
  });

  it('answers bad requests with a 4xx and stays up for the next', async () => {
    const cases: [string, number, RegExp][] = [
      ['/%E0%A4%A', 400, /not valid percent-encoding/],
      ['/%', 400, /not valid percent-encoding/],
      ['/%00index.html', 400, /NUL byte/],
      ['/..%2f..%2fpackage.json', 403, /outside the page/],
      ['/..%2fsecret.txt', 403, /outside the page/],
      ['/%2e%2e/secret.txt', 404, /not found/], // the URL parser resolves the dots inside the page
      [`/${'a'.repeat(MAX_URL_LENGTH)}`, 414, /URL too long/],
      ['/missing.js', 404, /not found: \/missing\.js/],
    ];
    for (const [path, status, body] of cases) {
      const response = await get(path);
      expect(response.status, path.slice(0, 60)).toBe(status);
      expect(response.body).toMatch(body);
      expect((await get('/')).status).toBe(200);
    }
    expect((await get('/', 'POST')).status).toBe(405);
    // A head over Node's own limit never reaches the handler: Node answers it, and the server goes on.
    expect((await get(`/${'b'.repeat(20_000)}`)).status).toBe(431);
    expect(await get('/')).toEqual({ status: 200, body: '<!doctype html><title>page</title>' });
  });
});
