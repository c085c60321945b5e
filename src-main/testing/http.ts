import http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request of a test, read whole as UTF-8. Given options (not a URL), the path goes on the wire exactly as
 * written: no client-side normalisation of '..'.
 */
export function httpRequest(target: string | http.RequestOptions, opts: http.RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    };
    const req = typeof target === 'string' ? http.request(target, opts, onResponse) : http.request({ ...target, ...opts }, onResponse);
    req.on('error', reject);
    req.end();
  });
}
