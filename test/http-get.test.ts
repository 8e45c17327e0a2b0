// The scraper's HTTP GET: the framing rules on bytes alone, then against real servers started
// here (node's own http server, and raw sockets that send exactly the bytes a test wants).
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http';
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {
	decodeChunked,
	httpGet,
	parseAnswer,
	requestText,
	type HttpAnswer,
} from '../source/metrics/http-get.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('parseAnswer', () => {
	const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n';

	it('takes a body framed by Content-Length, and waits for the rest of it', () => {
		expect(parseAnswer(bytes(`${head}Content-Length: 5\r\n\r\nab`), false)).toEqual({
			complete: false,
		});
		const whole = parseAnswer(bytes(`${head}Content-Length: 5\r\n\r\nabcdeXYZ`), false);
		expect(whole).toMatchObject({complete: true, status: 200});
		expect(String((whole as {body: Buffer}).body)).toBe('abcde');
		expect(parseAnswer(bytes(`${head}Content-Length: 5\r\n\r\nab`), true)).toEqual({
			complete: true,
			error: 'hung up mid-answer',
		});
	});

	it('decodes chunks (sizes in hex, with extensions) and waits for the last one', () => {
		const te = `${head}Transfer-Encoding: chunked\r\n\r\n`;
		expect(parseAnswer(bytes(`${te}3\r\nabc\r\na;x=1\r\n0123456789\r\n`), false)).toEqual({
			complete: false,
		});
		const whole = parseAnswer(bytes(`${te}3\r\nabc\r\nA;x=1\r\n0123456789\r\n0\r\n\r\n`), false);
		expect(String((whole as {body: Buffer}).body)).toBe('abc0123456789');
		expect(parseAnswer(bytes(`${te}3\r\nab`), true)).toMatchObject({error: 'hung up mid-answer'});
		expect(parseAnswer(bytes(`${te}zz\r\nab\r\n`), false)).toMatchObject({
			error: 'a bad chunk size "zz"',
		});
	});

	it('takes everything up to the close when nothing else frames the body', () => {
		expect(parseAnswer(bytes(`${head}\r\nsome`), false)).toEqual({complete: false});
		const whole = parseAnswer(bytes(`${head}\r\nsome text`), true);
		expect(String((whole as {body: Buffer}).body)).toBe('some text');
	});

	it('reads the status, and refuses what is not HTTP', () => {
		expect(parseAnswer(bytes('HTTP/1.0 404 Not Found\r\n\r\n'), true)).toMatchObject({
			status: 404,
		});
		expect(parseAnswer(bytes('SSH-2.0-OpenSSH\r\n\r\n'), false)).toMatchObject({
			error: 'a bad status line "SSH-2.0-OpenSSH"',
		});
		expect(parseAnswer(bytes('HTTP/1.1 200 OK\r\nContent-Len'), false)).toEqual({
			complete: false,
		});
		expect(parseAnswer(bytes('HTTP/1.1 200 OK\r\nContent-Len'), true)).toMatchObject({
			error: 'hung up mid-answer',
		});
		expect(parseAnswer(bytes(`${head}Content-Length: -1\r\n\r\n`), false)).toMatchObject({
			error: 'a bad Content-Length "-1"',
		});
	});

	it("quotes the server's text in an error with its control characters escaped", () => {
		// An error line reaches zeek-tui.log and the screen: no escape sequence may pass through.
		expect(parseAnswer(bytes('\u001b]0;owned\u0007\u001b[2J\r\n\r\n'), false)).toMatchObject({
			error: 'a bad status line "\\u001b]0;owned\\u0007\\u001b[2J"',
		});
		expect(parseAnswer(bytes(`${head}Content-Length: \u001b[31m\r\n\r\n`), false)).toMatchObject({
			error: 'a bad Content-Length "\\u001b[31m"',
		});
	});

	it('decodeChunked: an empty body is one zero-size chunk', () => {
		expect(decodeChunked(bytes('0\r\n\r\n'))).toEqual(Buffer.alloc(0));
		expect(decodeChunked(bytes('0'))).toBeUndefined();
	});

	it('asks for one answer per connection, with the host and the headers given', () => {
		expect(
			requestText({host: '::1', port: 9991, path: '/metrics', headers: {Accept: 'text/plain'}}),
		).toBe(
			'GET /metrics HTTP/1.1\r\nHost: [::1]:9991\r\nAccept: text/plain\r\nConnection: close\r\n\r\n',
		);
	});
});

describe('httpGet against real servers', () => {
	const servers: Array<Server | HttpServer> = [];
	const sockets: Socket[] = [];
	afterEach(async () => {
		for (const socket of sockets.splice(0)) socket.destroy();
		await Promise.all(
			servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
		);
	});

	async function listen(server: Server | HttpServer, host = '127.0.0.1'): Promise<number> {
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(0, host, resolve));
		return (server.address() as AddressInfo).port;
	}

	/** A server that reads the request and then plays `script` on the raw socket. */
	function rawServer(script: (socket: Socket, request: string) => void): Promise<number> {
		const server = createServer((socket) => {
			sockets.push(socket);
			let request = '';
			socket.on('data', (chunk) => {
				request += String(chunk);
				if (request.endsWith('\r\n\r\n')) script(socket, request);
			});
			socket.on('error', () => undefined);
		});
		return listen(server);
	}

	function get(port: number, host = '127.0.0.1', maxBytes = 1 << 20) {
		return new Promise<{error?: Error; answer?: HttpAnswer; calls: number}>((resolve) => {
			let calls = 0;
			httpGet({host, port, path: '/metrics', maxBytes}, (error, answer) => {
				calls++;
				// Any second call would show up in `calls` of the object already resolved.
				setTimeout(() => resolve({error, answer, calls}), 50);
			});
		});
	}

	it("reads node's http server, whether it sets a length or sends chunks", async () => {
		const port = await listen(
			createHttpServer((request, response) => {
				if (request.url === '/metrics') {
					response.end('zeek_net_received_packets_total 42\n');
					return;
				}
				response.writeHead(404).end();
			}),
		);
		expect(await get(port)).toEqual({
			answer: {status: 200, body: 'zeek_net_received_packets_total 42\n'},
			calls: 1,
			error: undefined,
		});
		const chunkedPort = await listen(
			createHttpServer((_request, response) => {
				response.write('a 1\n');
				setTimeout(() => response.end('b 2\n'), 30);
			}),
		);
		expect((await get(chunkedPort)).answer).toEqual({status: 200, body: 'a 1\nb 2\n'});
	});

	it('sends a GET for the path with Connection: close', async () => {
		let seen = '';
		const port = await rawServer((socket, request) => {
			seen = request;
			socket.end('HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n');
		});
		expect((await get(port)).answer).toEqual({status: 204, body: ''});
		expect(seen).toBe(
			`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
		);
	});

	it('is done at the end of the body even when the server keeps the connection open', async () => {
		const port = await rawServer((socket) => {
			socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
			setTimeout(() => socket.write('cd'), 30);
			// Never closes.
		});
		const started = Date.now();
		const {answer} = await get(port);
		expect(answer).toEqual({status: 200, body: 'abcd'});
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('takes a body framed by the close, in UTF-8', async () => {
		const port = await rawServer((socket) => {
			socket.write('HTTP/1.0 200 OK\r\n\r\nnode="wörker-1"\n');
			setTimeout(() => socket.end('rest\n'), 30);
		});
		expect((await get(port)).answer).toEqual({status: 200, body: 'node="wörker-1"\nrest\n'});
	});

	it('fails once, with a reason, when the server hangs up early or sends too much', async () => {
		const early = await rawServer((socket) => {
			socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
		});
		const cut = await get(early);
		expect(cut.error?.message).toBe(`http://127.0.0.1:${early}/metrics hung up mid-answer`);
		expect(cut.calls).toBe(1);
		const flood = await rawServer((socket) => {
			socket.write(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(5000)}`);
		});
		const big = await get(flood, '127.0.0.1', 1000);
		expect(big.error?.message).toBe(`http://127.0.0.1:${flood}/metrics sent more than 1000 bytes`);
		expect(big.calls).toBe(1);
	});

	it("passes the socket's error on, code and all", async () => {
		const server = createServer();
		const port = await listen(server);
		await new Promise((resolve) => {
			servers.splice(servers.indexOf(server), 1);
			server.close(resolve);
		});
		const {error, calls} = await get(port);
		expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
		expect(calls).toBe(1);
	});

	it('destroy() ends the exchange and calls back once with its reason', async () => {
		let connections = 0;
		const port = await rawServer(() => {
			connections++;
		});
		const result = await new Promise<{errors: Error[]}>((resolve) => {
			const errors: Error[] = [];
			const request = httpGet({host: '127.0.0.1', port, path: '/metrics', maxBytes: 100}, (error) =>
				errors.push(error!),
			);
			setTimeout(() => {
				request.destroy(new Error('too slow'));
				request.destroy(new Error('again'));
				setTimeout(() => resolve({errors}), 100);
			}, 100);
		});
		expect(connections).toBe(1);
		expect(result.errors.map((error) => error.message)).toEqual(['too slow']);
	});
});
