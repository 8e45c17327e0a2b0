// Scrapes each node's Prometheus metrics port and turns Zeek's packet counters into rates.
//
// One loop per node, each a recursive setTimeout around one request, so a node never has two
// requests in flight and a slow or dead node never delays another.
import {performance} from 'node:perf_hooks';
import type {NodeMetrics} from '../cluster/types.js';
import {hostHeader, httpGet, type HttpGetRequest} from './http-get.js';
import {parsePrometheusText, type PrometheusSample} from './prometheus.js';

export type ScrapeTarget = {node: string; host: string; port: number};

export type MetricsScraperOptions = {
	/**
	 * Between the end of one scrape of a node whose rate is known and the start of the next.
	 * Default 5000, the longest the issue allows: with 32 nodes these scrapes alone take most of
	 * zeek-tui's 1 % budget for watching (docs/performance.md, session 6: the budget is missed).
	 */
	intervalMs?: number;
	/**
	 * The same while the node's rate is not known yet (its first answer, a restart, an answer
	 * timed too vaguely): a rate needs two answers, and it is due on screen within 10 s of the
	 * port answering. Default 2000; never longer than intervalMs.
	 */
	untilRateIntervalMs?: number;
	/**
	 * At most this many scrapes a second over all nodes: every scrape takes the next free slot,
	 * so a big cluster's nodes are each scraped less often than intervalMs (256 nodes at the
	 * default 8: every 32 s), and zeek-tui's cost stops growing with the cluster. Default 8.
	 */
	maxPerSecond?: number;
	/** For the whole request, connect to last byte. Default 1000. */
	timeoutMs?: number;
	/**
	 * The back-off after failures starts at untilRateIntervalMs and doubles up to this once the
	 * port has answered. Before its first answer a port is tried at least every
	 * MAX_BACKOFF_BEFORE_ANSWER_MS (the node is starting). Default 30000.
	 */
	maxBackoffMs?: number;
	/**
	 * After each successful scrape; with `undefined` once when a node that answered stops
	 * answering (or is no longer a target), so the view can hide its packet columns.
	 */
	onMetrics: (node: string, metrics: NodeMetrics | undefined) => void;
	/** Every failed scrape (refused, timed out, bad status, an answer too big), for a log; optional. */
	onScrapeError?: (node: string, error: Error) => void;
};

export type MetricsScraper = {
	/** Starts scraping new targets at once, stops removed ones, restarts moved ones. */
	setTargets(targets: readonly ScrapeTarget[]): void;
	stop(): void;
};

/** What one scrape says about one node. Counters may be missing on nodes that see no packets. */
export type ZeekReading = {
	/** Monotonic milliseconds: only differences between readings mean anything. */
	timeMs: number;
	/**
	 * The node read its counters within this many ms of `timeMs`: half the time from sending the
	 * request to having the answer (the node answered in between, whatever delayed either side).
	 */
	timeUncertaintyMs?: number;
	received?: number;
	dropped?: number;
	link?: number;
	lagSeconds?: number;
	activeSessions?: number;
	/** `process_start_time_seconds`: a new value means a new process, whatever the counters say. */
	startTimeSeconds?: number;
};

export type PacketRates = Pick<
	NodeMetrics,
	'packetsPerSecond' | 'droppedPerSecond' | 'dropPercent'
>;

/** The largest answer read from a metrics port; Zeek's own is far smaller. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/**
 * The most samples of the six metrics read taken from one answer: a node serves a few per
 * metric, a port serving a whole cluster's series a few per node. More is refused, not summed.
 */
export const MAX_SAMPLES_PER_SCRAPE = 10_000;
/** A port that never answered is tried at least this often: see untilRateIntervalMs. */
export const MAX_BACKOFF_BEFORE_ANSWER_MS = 4000;
/** The text exposition format, the one Zeek serves and parsePrometheusText reads. */
const REQUEST_HEADERS = {Accept: 'text/plain;version=0.0.4'};

type Combine = (values: number[]) => number;
const sum: Combine = (values) => values.reduce((total, value) => total + value, 0);
// A loop, not Math.max(...values): spreading a long array overflows the stack (RangeError).
const max: Combine = (values) =>
	values.reduce((most, value) => (value > most ? value : most), -Infinity);

/**
 * Zeek's metric for each field, and how its series combine: zeek_active_sessions has one series
 * per protocol (tcp, udp, icmp) that add up; counters add up too should zeek ever split them;
 * the lag is the worst one; a start time is one value.
 */
const METRICS = {
	received: {name: 'zeek_net_received_packets_total', combine: sum},
	dropped: {name: 'zeek_net_dropped_packets_total', combine: sum},
	link: {name: 'zeek_net_link_packets_total', combine: sum},
	lagSeconds: {name: 'zeek_net_packet_lag_seconds', combine: max},
	activeSessions: {name: 'zeek_active_sessions', combine: sum},
	startTimeSeconds: {name: 'process_start_time_seconds', combine: max},
} as const satisfies Record<string, {name: string; combine: Combine}>;

const METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(METRICS).map(({name}) => name));

/** `http://127.0.0.1:9991/metrics`; an IPv6 address goes in brackets. */
export function metricsUrl(host: string, port: number): string {
	return `http://${hostHeader(host, port)}/metrics`;
}

/**
 * Zeek's metrics for `node`. A port may serve several nodes' series (label `node`): the node's
 * own are read when present, else those of the node the first series names (or the unlabelled).
 */
export function readZeekMetrics(
	samples: readonly PrometheusSample[],
	node: string,
	timeMs: number,
): ZeekReading {
	const reading: ZeekReading = {timeMs};
	for (const [field, {name, combine}] of Object.entries(METRICS) as [
		keyof typeof METRICS,
		(typeof METRICS)[keyof typeof METRICS],
	][]) {
		const series = samples.filter((sample) => sample.name === name && !Number.isNaN(sample.value));
		if (series.length === 0) continue;
		const own = series.filter((sample) => sample.labels['node'] === node);
		const group =
			own.length > 0
				? own
				: series.filter((sample) => sample.labels['node'] === series[0]!.labels['node']);
		reading[field] = combine(group.map((sample) => sample.value));
	}
	return reading;
}

/**
 * Rates between two successful scrapes of the same node. A counter that went down, or a new
 * process start time, means the node restarted: no rate this time (neither negative nor a spike
 * from counting since zero, nor a low one from a process that had counted only a little before it
 * was replaced), and the next scrape has a fresh baseline.
 */
export function computeRates(previous: ZeekReading | undefined, next: ZeekReading): PacketRates {
	if (!previous || previous.received === undefined || next.received === undefined) return {};
	if (
		previous.startTimeSeconds !== undefined &&
		next.startTimeSeconds !== undefined &&
		previous.startTimeSeconds !== next.startTimeSeconds
	) {
		return {};
	}
	const seconds = (next.timeMs - previous.timeMs) / 1000;
	const received = next.received - previous.received;
	const dropped =
		previous.dropped === undefined || next.dropped === undefined
			? undefined
			: next.dropped - previous.dropped;
	if (seconds <= 0 || received < 0 || (dropped !== undefined && dropped < 0)) return {};
	const rates: PacketRates = {packetsPerSecond: received / seconds};
	if (dropped !== undefined) {
		rates.droppedPerSecond = dropped / seconds;
		rates.dropPercent = received + dropped === 0 ? 0 : (dropped / (received + dropped)) * 100;
	}
	return rates;
}

/**
 * A rate is only shown when the time between its two readings is known to within this share of
 * it: a busy event loop (or a descheduled process on a loaded box) that is slow to take an answer
 * would otherwise shorten or stretch the interval, and a worker at 1000 packets/s would read 1.1k.
 */
export const MAX_TIMING_ERROR = 0.02;

/** How far off a rate between the two readings may be from not knowing when each was taken. */
export function timingError(previous: ZeekReading, next: ZeekReading): number {
	const elapsedMs = next.timeMs - previous.timeMs;
	if (elapsedMs <= 0) return Number.POSITIVE_INFINITY;
	return ((previous.timeUncertaintyMs ?? 0) + (next.timeUncertaintyMs ?? 0)) / elapsedMs;
}

/** What a scrape loop carries from one reading to the next. */
export type RateTracker = {
	/** The reading the next rate is measured from. */
	baseline?: ZeekReading;
	/** The latest rates measured well enough to show. */
	rates: PacketRates;
};

export const NO_RATES: RateTracker = {rates: {}};

/**
 * The tracker after `next`. A restart (see computeRates) starts over without a rate. A reading
 * timed too vaguely gives no new rate: the last one stays, and the next is measured from the
 * better-timed of the two readings, over a longer interval, so the error shrinks.
 */
export function trackRates(tracker: RateTracker, next: ZeekReading): RateTracker {
	const {baseline} = tracker;
	if (!baseline) return {baseline: next, rates: {}};
	const rates = computeRates(baseline, next);
	if (rates.packetsPerSecond === undefined) return {baseline: next, rates: {}};
	if (timingError(baseline, next) > MAX_TIMING_ERROR) {
		const better =
			(next.timeUncertaintyMs ?? 0) < (baseline.timeUncertaintyMs ?? 0) ? next : baseline;
		return {baseline: better, rates: tracker.rates};
	}
	return {baseline: next, rates};
}

/** NodeMetrics of one scrape: the rates as tracked, the gauges as read. */
export function toNodeMetrics(rates: PacketRates, next: ZeekReading, at: number): NodeMetrics {
	const metrics: NodeMetrics = {at, ...rates};
	if (next.lagSeconds !== undefined) metrics.lagSeconds = next.lagSeconds;
	if (next.activeSessions !== undefined) metrics.activeSessions = next.activeSessions;
	return metrics;
}

type Loop = {
	target: ScrapeTarget;
	timer?: NodeJS.Timeout;
	request?: HttpGetRequest;
	rates: RateTracker;
	/** The wait after the next failure. */
	backoffMs: number;
	/** Answered since the last failure (the view shows its packet columns). */
	answered: boolean;
	/** Answered at least once: the node is up, and a failure may back off for longer. */
	everAnswered: boolean;
	stopped: boolean;
};

function sameTarget(a: ScrapeTarget, b: ScrapeTarget): boolean {
	return a.host === b.host && a.port === b.port;
}

export type ScrapeTimings = {
	intervalMs: number;
	untilRateIntervalMs: number;
	maxBackoffMs: number;
};

/** The wait before a node's next scrape after an answer: short until its rate is known. */
export function delayAfterAnswer(timings: ScrapeTimings, rates: PacketRates): number {
	return rates.packetsPerSecond === undefined ? timings.untilRateIntervalMs : timings.intervalMs;
}

/** The wait after the one that follows a failure: doubled, capped lower before a first answer. */
export function nextBackoff(
	timings: ScrapeTimings,
	backoffMs: number,
	everAnswered: boolean,
): number {
	const cap = everAnswered
		? timings.maxBackoffMs
		: Math.min(timings.maxBackoffMs, MAX_BACKOFF_BEFORE_ANSWER_MS);
	return Math.max(timings.untilRateIntervalMs, Math.min(backoffMs * 2, cap));
}

/**
 * The times scrapes may start, `spacingMs` apart over the whole cluster: each scrape takes the
 * first free one at or after the time it wants, so there are never more than 1000 / spacingMs a
 * second, and a cluster's first scrapes are spread instead of all at once.
 */
export function createSlots(spacingMs: number, now: () => number = () => performance.now()) {
	let nextFree = Number.NEGATIVE_INFINITY;
	return {
		/** Reserves the slot for a scrape wanted in `delayMs`; returns the wait until it. */
		take(delayMs: number): number {
			const at = Math.max(now() + delayMs, nextFree);
			nextFree = at + spacingMs;
			return at - now();
		},
	};
}

export function createMetricsScraper(options: MetricsScraperOptions): MetricsScraper {
	const intervalMs = options.intervalMs ?? 5000;
	const timings: ScrapeTimings = {
		intervalMs,
		untilRateIntervalMs: Math.min(options.untilRateIntervalMs ?? 2000, intervalMs),
		maxBackoffMs: Math.max(intervalMs, options.maxBackoffMs ?? 30_000),
	};
	const timeoutMs = options.timeoutMs ?? 1000;
	const slots = createSlots(1000 / (options.maxPerSecond ?? 8));
	const loops = new Map<string, Loop>();
	let stopped = false;

	const schedule = (loop: Loop, delayMs: number) => {
		loop.timer = setTimeout(() => scrape(loop), slots.take(delayMs));
		loop.timer.unref();
	};

	const reportError = (node: string, error: unknown) => {
		try {
			options.onScrapeError?.(node, error instanceof Error ? error : new Error(String(error)));
		} catch {
			// Nothing left to tell.
		}
	};

	const failed = (loop: Loop, error: Error) => {
		loop.rates = NO_RATES;
		schedule(loop, loop.backoffMs);
		loop.backoffMs = nextBackoff(timings, loop.backoffMs, loop.everAnswered);
		reportError(loop.target.node, error);
		if (loop.answered) {
			loop.answered = false;
			options.onMetrics(loop.target.node, undefined);
		}
	};

	/** One answer read; throws on an answer it will not read (too many samples). */
	const readAnswer = (loop: Loop, body: string, sentAt: number) => {
		const answeredAt = performance.now();
		const exposition = parsePrometheusText(body, {
			only: METRIC_NAMES,
			maxSamples: MAX_SAMPLES_PER_SCRAPE,
		});
		if (exposition.truncated) {
			throw new Error(
				`${metricsUrl(loop.target.host, loop.target.port)} sent more than ` +
					`${MAX_SAMPLES_PER_SCRAPE} samples of the metrics read`,
			);
		}
		const reading = readZeekMetrics(
			exposition.samples,
			loop.target.node,
			(sentAt + answeredAt) / 2,
		);
		reading.timeUncertaintyMs = (answeredAt - sentAt) / 2;
		const rates = trackRates(loop.rates, reading);
		return {rates, metrics: toNodeMetrics(rates.rates, reading, Date.now())};
	};

	const scrape = (loop: Loop) => {
		const {node, host, port} = loop.target;
		let settled = false;
		const finish = (error: Error | undefined, body?: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(deadline);
			loop.request = undefined;
			if (loop.stopped) return;
			if (error) {
				failed(loop, error);
				return;
			}
			let answer: ReturnType<typeof readAnswer>;
			try {
				answer = readAnswer(loop, body!, sentAt);
			} catch (error_) {
				// Whatever a port sends ends as a failed scrape of that node, never as an exception.
				failed(loop, error_ instanceof Error ? error_ : new Error(String(error_)));
				return;
			}
			loop.rates = answer.rates;
			loop.backoffMs = timings.untilRateIntervalMs;
			loop.answered = true;
			loop.everAnswered = true;
			schedule(loop, delayAfterAnswer(timings, answer.rates.rates));
			options.onMetrics(node, answer.metrics);
		};
		// The node reads its counters after this and before the answer is in.
		const sentAt = performance.now();
		// Covers the whole exchange: a socket timeout alone would let a trickling server hold on.
		const deadline = setTimeout(() => {
			request.destroy(new Error(`no answer from ${metricsUrl(host, port)} in ${timeoutMs} ms`));
		}, timeoutMs);
		const request = httpGet(
			{host, port, path: '/metrics', headers: REQUEST_HEADERS, maxBytes: MAX_ANSWER_BYTES},
			(error, answer) => {
				try {
					if (error) finish(error);
					else if (answer!.status !== 200)
						finish(new Error(`${metricsUrl(host, port)} answered ${answer!.status}`));
					else finish(undefined, answer!.body);
				} catch (error_) {
					// A listener's own failure: reported, and the node's next scrape is already set.
					reportError(node, error_);
				}
			},
		);
		loop.request = request;
	};

	const startLoop = (target: ScrapeTarget) => {
		const loop: Loop = {
			target,
			rates: NO_RATES,
			backoffMs: timings.untilRateIntervalMs,
			answered: false,
			everAnswered: false,
			stopped: false,
		};
		loops.set(target.node, loop);
		schedule(loop, 0);
	};

	const stopLoop = (loop: Loop) => {
		loop.stopped = true;
		clearTimeout(loop.timer);
		loop.request?.destroy();
		loops.delete(loop.target.node);
	};

	return {
		setTargets(targets) {
			if (stopped) return;
			const wanted = new Map(targets.map((target) => [target.node, target]));
			for (const loop of [...loops.values()]) {
				const target = wanted.get(loop.target.node);
				if (target && sameTarget(target, loop.target)) continue;
				// Removed, or moved to another port: what it said no longer holds.
				stopLoop(loop);
				if (loop.answered) options.onMetrics(loop.target.node, undefined);
			}
			for (const target of wanted.values()) {
				if (!loops.has(target.node)) startLoop({...target});
			}
		},
		stop() {
			stopped = true;
			for (const loop of [...loops.values()]) stopLoop(loop);
		},
	};
}
