/**
 * A loopback server in front of the simulator that edits what it answers: a
 * server speaking the documented API but saying what our simulator never does
 * (a history that ignores the profile filter or leaves out its total, rows
 * without a readable time, a title edited since the upload, …). Every request
 * still reaches the simulator, so its world, faults and request log stay the
 * truth the expected values are worked out from; only the edit is the test's.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FrontRoute = 'history' | 'post-analytics' | 'total-impressions' | 'other';

/** An answer's JSON body, to edit in place or replace (any: each test knows the shape it edits). */
export type Json = any;

export interface Front {
  /** Base URL including '/api', as the client is given it. */
  url: string;
  /** Every request as the client sent it, before `forward` changed it, in arrival order. */
  readonly asked: URL[];
  /** Change a request's query before it goes on to the simulator. */
  forward: ((route: FrontRoute, url: URL) => void) | undefined;
  /** Change a 200 answer's JSON before it goes back; return the new body (or edit `body` and return nothing). */
  edit: ((route: FrontRoute, body: Json, url: URL) => Json | void) | undefined;
  /** Forget the requests seen and the edits. */
  reset(): void;
  close(): Promise<void>;
}

const routeOf = (path: string): FrontRoute =>
  path === '/api/uploadposts/history'
    ? 'history'
    : /^\/api\/uploadposts\/post-analytics\/(?!cached$)[^/]+$/.test(path)
      ? 'post-analytics'
      : path.startsWith('/api/uploadposts/total-impressions/')
        ? 'total-impressions'
        : 'other';

/** Start a front for the simulator at `simUrl` (its base URL with '/api'). */
export async function startFront(simUrl: string): Promise<Front> {
  const target = new URL(simUrl);
  const front: Front = {
    url: '',
    asked: [],
    forward: undefined,
    edit: undefined,
    reset() {
      front.asked.length = 0;
      front.forward = undefined;
      front.edit = undefined;
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front.local');
    front.asked.push(new URL(url));
    const route = routeOf(url.pathname);
    front.forward?.(route, url);
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks).toString('utf8');
        if (answer.statusCode === 200 && front.edit) {
          const parsed: Json = JSON.parse(body);
          const edited = front.edit(route, parsed, url);
          body = JSON.stringify(edited === undefined ? parsed : edited);
        }
        const { 'content-length': _, 'transfer-encoding': __, connection: ___, ...kept } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, { ...kept, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    // A dropped connection (the simulator's `reset` fault) is dropped here too.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return front;
}
