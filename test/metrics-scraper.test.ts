// The pure rate logic alone, then the scraper against real HTTP servers started here (and the
// simulated zeek, dist/demo/zeek-sim.js, built by `npm run build`).
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {NodeMetrics} from '../source/cluster/types.js';
import {parsePrometheusText} from '../source/metrics/prometheus.js';
import {
	computeRates,
	createMetricsScraper,
	createSlots,
	delayAfterAnswer,
	MAX_BACKOFF_BEFORE_ANSWER_MS,
	MAX_SAMPLES_PER_SCRAPE,
	MAX_TIMING_ERROR,
	nextBackoff,
	NO_RATES,
	timingError,
	trackRates,
	metricsUrl,
	readZeekMetrics,
	toNodeMetrics,
	type MetricsScraper,
	type MetricsScraperOptions,
} from '../source/metrics/scraper.js';
import {cleanEnv, simulatorPath} from './helpers/cli.js';

describe('computeRates', () => {
	it('divides the counter deltas by the time between the two scrapes', () => {
		const rates = computeRates(
			{timeMs: 10_000, received: 1000, dropped: 10},
			{timeMs: 12_000, received: 3000, dropped: 30},
		);
		expect(rates.packetsPerSecond).toBeCloseTo(1000);
		expect(rates.droppedPerSecond).toBeCloseTo(10);
		// 20 dropped of 2020 offered.
		expect(rates.dropPercent).toBeCloseTo((20 / 2020) * 100);
	});

	it('gives no rate when the process start time changed, even if the counters went up', () => {
		// The old process had counted little; the new one already counted more than that.
		const before = {timeMs: 0, received: 500, dropped: 1, startTimeSeconds: 1000};
		const after = {timeMs: 2000, received: 1800, dropped: 2, startTimeSeconds: 1003.5};
		expect(computeRates(before, after)).toEqual({});
		expect(computeRates(before, {...after, startTimeSeconds: 1000}).packetsPerSecond).toBe(650);
	});

	it('gives no rate after a counter went down (the node restarted): no negative, no spike', () => {
		expect(
			computeRates(
				{timeMs: 0, received: 50_000, dropped: 5},
				{timeMs: 2000, received: 800, dropped: 0},
			),
		).toEqual({});
		// Only the drop counter went back: still a restart.
		expect(
			computeRates(
				{timeMs: 0, received: 100, dropped: 5},
				{timeMs: 2000, received: 900, dropped: 1},
			),
		).toEqual({});
	});

	it('reports 0 % drops when no packets came at all', () => {
		expect(
			computeRates({timeMs: 0, received: 7, dropped: 3}, {timeMs: 2000, received: 7, dropped: 3}),
		).toEqual({packetsPerSecond: 0, droppedPerSecond: 0, dropPercent: 0});
	});

	it('gives nothing without a previous scrape, a counter or elapsed time', () => {
		expect(computeRates(undefined, {timeMs: 1, received: 5, dropped: 0})).toEqual({});
		expect(computeRates({timeMs: 0}, {timeMs: 1000, received: 5})).toEqual({});
		expect(computeRates({timeMs: 1000, received: 1}, {timeMs: 1000, received: 5})).toEqual({});
	});

	it('gives packets per second but no drop share when the drop counter is missing', () => {
		expect(computeRates({timeMs: 0, received: 0}, {timeMs: 1000, received: 10})).toEqual({
			packetsPerSecond: 10,
		});
	});
});

describe('readZeekMetrics and toNodeMetrics', () => {
	const text = [
		'zeek_net_received_packets_total{node="worker-2"} 999',
		'zeek_net_received_packets_total{node="worker-1"} 100',
		'zeek_net_dropped_packets_total{node="other"} 4',
		'zeek_net_link_packets_total 120',
		'zeek_net_packet_lag_seconds{node="worker-1"} 0.25',
		'zeek_active_sessions{node="worker-1",protocol="tcp"} 42',
		'zeek_active_sessions{node="worker-1",protocol="udp"} 8',
		'zeek_active_sessions{node="worker-1",protocol="icmp"} 1',
		'zeek_active_sessions{node="worker-2",protocol="tcp"} 1000',
		'zeek_net_packet_lag_seconds{node="worker-1"} NaN',
		'process_start_time_seconds 1700000000.5',
	].join('\n');
	const samples = parsePrometheusText(text).samples;

	it("prefers the node's own series and falls back to the first", () => {
		expect(readZeekMetrics(samples, 'worker-1', 5)).toEqual({
			timeMs: 5,
			received: 100,
			dropped: 4,
			link: 120,
			lagSeconds: 0.25,
			activeSessions: 51,
			startTimeSeconds: 1700000000.5,
		});
		// No series of worker-3: per metric, those of the node its first series names.
		expect(readZeekMetrics(samples, 'worker-3', 5)).toMatchObject({
			received: 999,
			activeSessions: 51,
		});
	});

	it('sums the active sessions over protocols and takes the worst lag', () => {
		const text = [
			'zeek_active_sessions{protocol="tcp"} 70',
			'zeek_active_sessions{protocol="udp"} 28',
			'zeek_active_sessions{protocol="icmp"} 2',
			'zeek_net_packet_lag_seconds{thread="a"} 0.5',
			'zeek_net_packet_lag_seconds{thread="b"} 6.25',
		].join('\n');
		expect(readZeekMetrics(parsePrometheusText(text).samples, 'worker-1', 0)).toEqual({
			timeMs: 0,
			activeSessions: 100,
			lagSeconds: 6.25,
		});
	});

	it('builds NodeMetrics with the gauges and, from the second reading on, the rates', () => {
		const first = readZeekMetrics(samples, 'worker-1', 0);
		const tracked = trackRates(NO_RATES, first);
		expect(toNodeMetrics(tracked.rates, first, 123)).toEqual({
			at: 123,
			lagSeconds: 0.25,
			activeSessions: 51,
		});
		const second = {...first, timeMs: 2000, received: 300, dropped: 4};
		expect(toNodeMetrics(trackRates(tracked, second).rates, second, 456)).toEqual({
			at: 456,
			packetsPerSecond: 100,
			droppedPerSecond: 0,
			dropPercent: 0,
			lagSeconds: 0.25,
			activeSessions: 51,
		});
	});
});

describe('trackRates', () => {
	const reading = (timeMs: number, received: number, uncertaintyMs = 1) => ({
		timeMs,
		timeUncertaintyMs: uncertaintyMs,
		received,
		dropped: received / 99,
	});

	it('measures each rate from the reading before, and starts over after a restart', () => {
		let tracker = trackRates(NO_RATES, reading(0, 0));
		expect(tracker.rates).toEqual({});
		tracker = trackRates(tracker, reading(2000, 2000));
		expect(tracker.rates.packetsPerSecond).toBeCloseTo(1000);
		expect(tracker.rates.dropPercent).toBeCloseTo(1);
		tracker = trackRates(tracker, reading(4000, 6000));
		expect(tracker.rates.packetsPerSecond).toBeCloseTo(2000);
		// Restarted: no rate, and the next one is measured from the new process's counters.
		tracker = trackRates(tracker, reading(6000, 100));
		expect(tracker.rates).toEqual({});
		tracker = trackRates(tracker, reading(8000, 2100));
		expect(tracker.rates.packetsPerSecond).toBeCloseTo(1000);
	});

	it('a vaguely timed reading gives no new rate; the next is measured over the longer interval', () => {
		let tracker = trackRates(trackRates(NO_RATES, reading(0, 0)), reading(2000, 2000));
		// The answer to this scrape was taken 200 ms late (a busy event loop): the midpoint is
		// 100 ms off, which would read 1053 packets/s. The last good rate stays.
		tracker = trackRates(tracker, reading(3900, 4000, 100));
		expect(tracker.rates.packetsPerSecond).toBeCloseTo(1000);
		expect(tracker.baseline!.timeMs).toBe(2000);
		tracker = trackRates(tracker, reading(6000, 6000));
		expect(tracker.rates.packetsPerSecond).toBeCloseTo(1000);
		expect(tracker.baseline!.timeMs).toBe(6000);
		// A vague baseline gives way to a better-timed reading.
		tracker = trackRates(NO_RATES, reading(0, 0, 300));
		tracker = trackRates(tracker, reading(2000, 2000));
		expect(tracker.rates).toEqual({});
		expect(tracker.baseline!.timeMs).toBe(2000);
		expect(timingError(reading(0, 0, 10), reading(2000, 0, 10))).toBeCloseTo(0.01);
		expect(MAX_TIMING_ERROR).toBeLessThanOrEqual(0.02);
	});
});

describe('when the next scrape is', () => {
	const timings = {intervalMs: 5000, untilRateIntervalMs: 2000, maxBackoffMs: 30_000};

	it('2 s after an answer while the rate is not known, the interval once it is', () => {
		expect(delayAfterAnswer(timings, {})).toBe(2000);
		expect(delayAfterAnswer(timings, {packetsPerSecond: 0})).toBe(5000);
	});

	it('backs off by doubling: up to 4 s before the first answer, up to the maximum after', () => {
		const steps = (everAnswered: boolean) => {
			const delays = [2000];
			for (let index = 0; index < 6; index++)
				delays.push(nextBackoff(timings, delays.at(-1)!, everAnswered));
			return delays;
		};
		expect(steps(false)).toEqual([2000, 4000, 4000, 4000, 4000, 4000, 4000]);
		expect(MAX_BACKOFF_BEFORE_ANSWER_MS).toBe(4000);
		expect(steps(true)).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
	});

	it('takes the first free slot: never two scrapes closer than the spacing over the cluster', () => {
		let now = 1000;
		const slots = createSlots(125, () => now);
		// Eight nodes wanting to go at once go 125 ms apart.
		expect(Array.from({length: 8}, () => slots.take(0))).toEqual([
			0, 125, 250, 375, 500, 625, 750, 875,
		]);
		now = 5000;
		// Free again: a scrape goes when it wants to.
		expect(slots.take(2000)).toBe(2000);
		expect(slots.take(2000)).toBe(2125);
	});
});

describe('metricsUrl', () => {
	it('puts IPv6 addresses in brackets', () => {
		expect(metricsUrl('127.0.0.1', 9991)).toBe('http://127.0.0.1:9991/metrics');
		expect(metricsUrl('::1', 9991)).toBe('http://[::1]:9991/metrics');
		expect(metricsUrl('[fe80::1]', 80)).toBe('http://[fe80::1]:80/metrics');
		expect(metricsUrl('localhost', 80)).toBe('http://localhost:80/metrics');
	});
});

// ---- against real servers ----

const servers: Server[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
let scraper: MetricsScraper | undefined;

afterEach(async () => {
	scraper?.stop();
	scraper = undefined;
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
	await Promise.all(
		servers.splice(0).map(
			(server) =>
				new Promise((resolve) => {
					server.closeAllConnections();
					server.close(resolve);
				}),
		),
	);
	for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function serve(handler: Handler, host = '127.0.0.1', port = 0): Promise<number> {
	const server = createServer(handler);
	servers.push(server);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Zeek-like counters that advance with the clock: `pps` received, `dropShare` of all dropped. */
function countersServer(node: string, pps: number, dropShare: number) {
	let zeroAt = Date.now();
	const state = {requests: 0};
	const handler: Handler = (_request, response) => {
		state.requests++;
		const received = Math.floor(((Date.now() - zeroAt) / 1000) * pps);
		const dropped = Math.floor((received * dropShare) / (1 - dropShare));
		response.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
		response.end(
			[
				'# TYPE zeek_net_received_packets_total counter',
				`zeek_net_received_packets_total{node="other"} 5`,
				`zeek_net_received_packets_total{node="${node}"} ${received}`,
				`zeek_net_dropped_packets_total{node="${node}"} ${dropped}`,
				`zeek_net_packet_lag_seconds{node="${node}"} 0.004`,
				`zeek_active_sessions{node="${node}"} 17`,
				'',
			].join('\n'),
		);
	};
	return {handler, state, restart: () => (zeroAt = Date.now())};
}

type Event = {node: string; metrics: NodeMetrics | undefined; atMs: number};

function record(options: Partial<MetricsScraperOptions> = {}) {
	const events: Event[] = [];
	const errors: {node: string; error: Error; atMs: number}[] = [];
	scraper = createMetricsScraper({
		intervalMs: 200,
		timeoutMs: 1000,
		...options,
		onMetrics: (node, metrics) => events.push({node, metrics, atMs: Date.now()}),
		onScrapeError: (node, error) => errors.push({node, error, atMs: Date.now()}),
	});
	return {events, errors, scraper};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('createMetricsScraper', () => {
	it("reads the node's counters and sees about the rate they advance at", async () => {
		const counters = countersServer('worker-1', 5000, 0.1);
		const port = await serve(counters.handler);
		const {events} = record({intervalMs: 300});
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		const rated = () => events.filter((event) => event.metrics?.packetsPerSecond !== undefined);
		await until(() => events.length >= 6 && rated().length >= 4, 'four rates');
		const [first, ...rest] = events;
		// The first scrape has no previous one: gauges only.
		expect(first!.metrics).toMatchObject({lagSeconds: 0.004, activeSessions: 17});
		expect(first!.metrics?.packetsPerSecond).toBeUndefined();
		for (const event of rest) expect(event.node).toBe('worker-1');
		const rates = rated().map((event) => event.metrics!.packetsPerSecond!);
		expect(median(rates)).toBeGreaterThan(5000 * 0.8);
		expect(median(rates)).toBeLessThan(5000 * 1.2);
		expect(median(rated().map((event) => event.metrics!.dropPercent!))).toBeCloseTo(10, 0);
		expect(Math.abs(rest.at(-1)!.metrics!.at - Date.now())).toBeLessThan(5000);
	});

	it('with the default timings, has a rate within 10 s of the port answering, then scrapes every 5 s', async () => {
		const port = await freePort();
		// The product's own intervals, not the tests' short one.
		const {events} = record({intervalMs: undefined});
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		// The node is starting: its port refuses for a while, so the back-off has grown.
		await sleep(7000);
		const counters = countersServer('worker-1', 1000, 0);
		await serve(counters.handler, '127.0.0.1', port);
		const answeringAt = Date.now();
		const rated = () => events.filter((event) => event.metrics?.packetsPerSecond !== undefined);
		await until(() => rated().length >= 1, 'a rate', 15_000);
		expect(rated()[0]!.atMs - answeringAt).toBeLessThan(10_000);
		await until(() => rated().length >= 2, 'a second rate', 15_000);
		const gap = rated()[1]!.atMs - rated()[0]!.atMs;
		expect(gap).toBeGreaterThan(4500);
		expect(gap).toBeLessThan(6000);
	}, 40_000);

	it('a hostile answer (200,000 lag samples, 6 MB) is a failed scrape of that node, never an exception', async () => {
		// What a server run as user nobody sent: before the cap, Math.max(...values) threw RangeError.
		const hostile = Array.from(
			{length: 200_000},
			(_, index) => `zeek_net_packet_lag_seconds ${index % 10}\n`,
		).join('');
		expect(hostile.length).toBe(6_000_000);
		let hostileRequests = 0;
		const port = await serve((_request, response) => {
			hostileRequests++;
			response.writeHead(200, {'content-type': 'text/plain'});
			response.end(hostile);
		});
		// A neighbour with a sane port keeps being read.
		const counters = countersServer('worker-2', 1000, 0);
		const sanePort = await serve(counters.handler);
		const {events, errors} = record({intervalMs: 100});
		scraper!.setTargets([
			{node: 'worker-1', host: '127.0.0.1', port},
			{node: 'worker-2', host: '127.0.0.1', port: sanePort},
		]);
		await until(() => errors.length >= 2 && hostileRequests >= 2, 'two hostile answers refused');
		expect(errors[0]!.node).toBe('worker-1');
		expect(errors[0]!.error.message).toBe(
			`http://127.0.0.1:${port}/metrics sent more than ${MAX_SAMPLES_PER_SCRAPE} samples of the metrics read`,
		);
		expect(events.filter((event) => event.node === 'worker-1')).toEqual([]);
		await until(
			() => events.some((event) => event.node === 'worker-2' && event.metrics?.packetsPerSecond),
			'the sane neighbour rated',
		);
	});

	it('takes the worst of many lag series (below the cap) without spreading them', () => {
		const count = MAX_SAMPLES_PER_SCRAPE;
		const samples = Array.from({length: count}, (_, index) => ({
			name: 'zeek_net_packet_lag_seconds',
			labels: {node: 'worker-1'},
			value: index === 4321 ? 7.5 : 0.25,
		}));
		expect(readZeekMetrics(samples, 'worker-1', 0).lagSeconds).toBe(7.5);
	});

	it('spreads a big cluster out: never more than maxPerSecond scrapes a second in all', async () => {
		const counters = countersServer('worker-1', 1000, 0);
		const port = await serve(counters.handler);
		const {events} = record({intervalMs: 20, maxPerSecond: 20});
		// Eight nodes (one server) at 20 a second in all: each every 400 ms, not every 20 ms.
		scraper!.setTargets(
			Array.from({length: 8}, (_, index) => ({node: `worker-${index}`, host: '127.0.0.1', port})),
		);
		await sleep(1300);
		const perNode = new Map<string, Event[]>();
		for (const event of events)
			perNode.set(event.node, [...(perNode.get(event.node) ?? []), event]);
		expect(perNode.size).toBe(8);
		for (const scrapes of perNode.values()) {
			expect(scrapes.length).toBeGreaterThanOrEqual(2);
			expect(scrapes.length).toBeLessThanOrEqual(4);
			expect(scrapes[1]!.atMs - scrapes[0]!.atMs).toBeGreaterThanOrEqual(380);
		}
	});

	it('after the counters restart from zero, skips a rate and then resumes, never negative', async () => {
		const counters = countersServer('worker-1', 2000, 0);
		const port = await serve(counters.handler);
		const {events} = record();
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		await until(() => events.length >= 3, 'three scrapes');
		await sleep(1000);
		const beforeRestart = events.length;
		counters.restart();
		await until(() => events.length >= beforeRestart + 4, 'four scrapes after the restart');
		const after = events.slice(beforeRestart).map((event) => event.metrics!.packetsPerSecond);
		// A scrape answered just before restart() may still land after it.
		const skipped = after.indexOf(undefined);
		expect([0, 1]).toContain(skipped);
		// One gap (longer only while answers are timed too vaguely for a rate), then rates again.
		const resumed = after.findIndex((rate, index) => index > skipped && rate !== undefined);
		expect(resumed).toBeGreaterThan(skipped);
		expect(after.slice(resumed)).not.toContain(undefined);
		expect(after[resumed]).toBeGreaterThan(2000 * 0.5);
		expect(after[resumed]).toBeLessThan(2000 * 1.5);
		for (const event of events)
			expect(event.metrics!.packetsPerSecond ?? 0).toBeGreaterThanOrEqual(0);
	});

	it('backs off while the port refuses, without throwing, and returns to the interval on success', async () => {
		const port = await freePort();
		const {events, errors} = record({intervalMs: 50, maxBackoffMs: 800});
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		await sleep(2500);
		// Without back-off that would be ~50 attempts; with it: 0, 50, 150, 350, 750, 1550, 2350.
		expect(errors.length).toBeGreaterThanOrEqual(4);
		expect(errors.length).toBeLessThanOrEqual(9);
		expect((errors[0]!.error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
		const gaps = errors.slice(1).map((error, index) => error.atMs - errors[index]!.atMs);
		expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]! * 4);
		// The cap holds: no gap far beyond maxBackoffMs.
		expect(Math.max(...gaps)).toBeLessThan(800 + 400);
		expect(events).toEqual([]);

		const counters = countersServer('worker-1', 1000, 0);
		await serve(counters.handler, '127.0.0.1', port);
		await until(() => events.length >= 1, 'the first answer', 5000);
		const requestsAtFirstAnswer = counters.state.requests;
		await sleep(600);
		// Back at the 50 ms interval, not at the backed-off one.
		expect(counters.state.requests - requestsAtFirstAnswer).toBeGreaterThanOrEqual(4);
	});

	it('gives up on a slow server at the timeout, never has two requests open, and says the node went quiet', async () => {
		let open = 0;
		let mostOpen = 0;
		let hang = false;
		const counters = countersServer('worker-1', 1000, 0);
		const port = await serve((request, response) => {
			open++;
			mostOpen = Math.max(mostOpen, open);
			request.socket.once('close', () => open--);
			if (!hang) counters.handler(request, response);
			// else: never answers.
		});
		const {events, errors} = record({intervalMs: 50, timeoutMs: 300});
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		await until(() => events.length >= 2, 'two answers');
		hang = true;
		const hungAt = Date.now();
		await until(() => errors.length >= 1, 'a timeout', 5000);
		expect(errors[0]!.error.message).toMatch(
			/no answer from http:\/\/127\.0\.0\.1:\d+\/metrics in 300 ms/,
		);
		expect(errors[0]!.atMs - hungAt).toBeGreaterThanOrEqual(250);
		await until(() => events.at(-1)!.metrics === undefined, 'the node reported quiet', 5000);
		await until(() => errors.length >= 3, 'more timeouts', 10_000);
		expect(events.filter((event) => event.metrics === undefined)).toHaveLength(1);
		expect(mostOpen).toBe(1);
	});

	it('stops scraping removed targets and says so, and stops everything on stop()', async () => {
		const one = countersServer('worker-1', 100, 0);
		const two = countersServer('worker-2', 100, 0);
		const portOne = await serve(one.handler);
		const portTwo = await serve(two.handler);
		const {events} = record({intervalMs: 50});
		scraper!.setTargets([
			{node: 'worker-1', host: '127.0.0.1', port: portOne},
			{node: 'worker-2', host: '127.0.0.1', port: portTwo},
		]);
		await until(() => one.state.requests >= 2 && two.state.requests >= 2, 'both scraped');
		scraper!.setTargets([{node: 'worker-2', host: '127.0.0.1', port: portTwo}]);
		expect(events.at(-1)).toMatchObject({node: 'worker-1', metrics: undefined});
		const oneRequests = one.state.requests;
		await sleep(300);
		expect(one.state.requests).toBe(oneRequests);
		expect(two.state.requests).toBeGreaterThan(2);
		scraper!.stop();
		const twoRequests = two.state.requests;
		const eventCount = events.length;
		await sleep(300);
		expect(two.state.requests).toBe(twoRequests);
		expect(events).toHaveLength(eventCount);
	});

	it('scrapes over IPv6', async () => {
		const counters = countersServer('worker-1', 100, 0);
		const port = await serve(counters.handler, '::1');
		const {events} = record({intervalMs: 50});
		scraper!.setTargets([{node: 'worker-1', host: '::1', port}]);
		// At a 50 ms interval a rate may wait for a few answers (timed to 2 % of the interval).
		await until(
			() => events.some((event) => (event.metrics?.packetsPerSecond ?? 0) > 0),
			'a rate over ::1',
		);
	});

	it('reads the simulated zeek (dist/demo/zeek-sim.js) at the rate it was told', async () => {
		const port = await freePort();
		const dir = mkdtempSync(join(tmpdir(), 'zeek-tui-scraper-sim-'));
		dirs.push(dir);
		writeFileSync(
			join(dir, 'cluster-layout.zeek'),
			`redef Cluster::nodes += {
    ["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=27760/tcp],
    ["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="manager", $metrics_port=${port}/tcp],
};
`,
		);
		const child = spawn(process.execPath, [simulatorPath, '-C', '-i', 'lo', 'local'], {
			cwd: dir,
			env: cleanEnv({
				CLUSTER_NODE: 'worker-1',
				ZEEK_SIM_PPS: '3000',
				ZEEK_SIM_DROP: '0.05',
				ZEEK_SIM_INIT_MS: '0',
				ZEEK_SIM_LINES_PER_SEC: '0',
			}),
			stdio: 'ignore',
		});
		children.push(child);
		const {events} = record({intervalMs: 500});
		scraper!.setTargets([{node: 'worker-1', host: '127.0.0.1', port}]);
		await until(
			() => events.filter((event) => event.metrics?.packetsPerSecond !== undefined).length >= 4,
			'four rates from the simulator',
		);
		const rated = events.filter((event) => event.metrics?.packetsPerSecond !== undefined);
		// Skip the first rate: capture may have started between the two scrapes.
		const rates = rated.slice(1).map((event) => event.metrics!);
		expect(median(rates.map((metrics) => metrics.packetsPerSecond!))).toBeGreaterThan(3000 * 0.7);
		expect(median(rates.map((metrics) => metrics.packetsPerSecond!))).toBeLessThan(3000 * 1.3);
		expect(median(rates.map((metrics) => metrics.dropPercent!))).toBeGreaterThan(2);
		expect(median(rates.map((metrics) => metrics.dropPercent!))).toBeLessThan(8);
		// About 15 % of the packet rate, over three protocol series: the sum, not the tcp share alone.
		expect(median(rates.map((metrics) => metrics.activeSessions!))).toBeGreaterThan(
			3000 * 0.15 * 0.85,
		);
		expect(rates.at(-1)!.lagSeconds).toBeGreaterThan(0);
		expect(rates.at(-1)!.lagSeconds).toBeLessThan(0.1);
	});
});
