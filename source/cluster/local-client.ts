// The in-process ClusterClient: the controller's snapshot with CPU/memory samples, Zeek's own
// metrics and their recent history merged in, the log tails, the crash reports, and the commands.
// A client of a background daemon would implement the same type without the views noticing.
import path from 'node:path';
import {openLogTail} from '../logs/log-tail.js';
import {EMPTY_HISTORY, HISTORY_LENGTH, recordPacketRate, recordUsage} from '../metrics/history.js';
import {createResourceSampler} from '../metrics/resource-sampler.js';
import {createMetricsScraper} from '../metrics/scraper.js';
import {readOnlineCpus} from './affinity.js';
import {CRASH_DIR, type Controller} from './controller.js';
import {readCrashReports} from './crash-report.js';
import {stateDir} from './state-file.js';
import type {
	ClusterClient,
	ClusterSnapshot,
	ClusterSpec,
	CrashReportFile,
	NodeHistory,
	NodeMetrics,
	NodeSnapshot,
	ResourceUsage,
} from './types.js';

export type LocalClient = ClusterClient & {
	crashReports(name: string, limit: number): CrashReportFile[];
	/** Stops sampling and scraping; the controller and the nodes are left as they are. */
	close(): void;
};

export type LocalClientOptions = {
	sampleIntervalMs?: number;
	scrapeIntervalMs?: number;
	/** Samples kept per series and node. Default HISTORY_LENGTH. */
	historyLength?: number;
};

export function createLocalClient(
	controller: Controller,
	spec: ClusterSpec,
	options: LocalClientOptions = {},
): LocalClient {
	const listeners = new Set<() => void>();
	let usageByPid = new Map<number, ResourceUsage>();
	const metricsByNode = new Map<string, NodeMetrics>();
	// By node name: a restarted node keeps its history, so the dip of the restart shows.
	const historyByNode = new Map<string, NodeHistory>();
	const historyLength = options.historyLength ?? HISTORY_LENGTH;
	let merged: ClusterSnapshot | undefined;
	let mergedFrom: ClusterSnapshot | undefined;
	/** Samples, metrics or history changed since `merged` was made. */
	let stale = true;
	const onlineCpus = readOnlineCpus();
	const crashDir = path.join(stateDir(spec.spoolDir), CRASH_DIR);

	const updateHistory = (node: string, update: (history: NodeHistory) => NodeHistory) => {
		historyByNode.set(node, update(historyByNode.get(node) ?? EMPTY_HISTORY));
	};

	const changed = () => {
		stale = true;
		for (const listener of listeners) listener();
	};

	/** The last scrape error logged per node: a port that keeps failing the same way is one line. */
	const scrapeErrors = new Map<string, string>();
	const sampler = createResourceSampler({
		...(options.sampleIntervalMs === undefined ? {} : {intervalMs: options.sampleIntervalMs}),
		onError: (error) => controller.logEvent('sample-failed', {error: error.message}),
		onSample(usage) {
			usageByPid = usage;
			for (const node of controller.snapshot().nodes) {
				const sample = node.pid === undefined ? undefined : usage.get(node.pid);
				if (sample)
					updateHistory(node.name, (history) => recordUsage(history, sample, historyLength));
			}
			changed();
		},
	});
	const scraper = createMetricsScraper({
		...(options.scrapeIntervalMs === undefined ? {} : {intervalMs: options.scrapeIntervalMs}),
		onScrapeError(node, error) {
			// A refused connection is a node whose port is not open yet (or not configured).
			if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return;
			if (scrapeErrors.get(node) === error.message) return;
			scrapeErrors.set(node, error.message);
			controller.logEvent('scrape-failed', {node, error: error.message});
		},
		onMetrics(node, metrics) {
			if (metrics) scrapeErrors.delete(node);
			if (metrics) metricsByNode.set(node, metrics);
			else metricsByNode.delete(node);
			const rate = metrics?.packetsPerSecond;
			if (rate !== undefined) {
				updateHistory(node, (history) => recordPacketRate(history, rate, historyLength));
			}
			changed();
		},
	});

	const plans = new Map(spec.nodes.map((node) => [node.name, node]));
	// Only live processes are sampled and only running nodes scraped: a dead pid costs nothing.
	const followController = () => {
		const {nodes} = controller.snapshot();
		sampler.setPids(nodes.flatMap((node) => (node.pid === undefined ? [] : [node.pid])));
		scraper.setTargets(
			nodes.flatMap((node) => {
				const target = plans.get(node.name)?.metrics;
				return node.state === 'running' && target ? [{node: node.name, ...target}] : [];
			}),
		);
		changed();
	};
	const unsubscribe = controller.subscribe(followController);
	followController();

	return {
		snapshot() {
			const current = controller.snapshot();
			if (merged && !stale && mergedFrom === current) return merged;
			const previous = merged;
			const previousFrom = mergedFrom;
			mergedFrom = current;
			stale = false;
			merged = {
				...current,
				nodes: current.nodes.map((node, index) => {
					const usage = node.pid === undefined ? undefined : usageByPid.get(node.pid);
					const metrics = metricsByNode.get(node.name);
					const history = historyByNode.get(node.name);
					// A scrape changes one node: the others keep their merged object (less garbage).
					const last = previous?.nodes[index];
					if (
						last &&
						previousFrom?.nodes[index] === node &&
						last.usage === usage &&
						last.metrics === metrics &&
						last.history === history
					)
						return last;
					// Copied, then added to: no throwaway objects to spread from.
					const next: NodeSnapshot = {...node};
					if (usage) next.usage = usage;
					if (metrics) next.metrics = metrics;
					if (history) next.history = history;
					return next;
				}),
			};
			return merged;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		start: (name) => controller.startNode(name),
		stop: (name) => controller.stopNode(name),
		kill: (name) => controller.killNode(name),
		restart: (name) => controller.restartNode(name),
		restartAll: () => void controller.restartAll(),
		pin: (name, cpus) => controller.pin(name, cpus),
		stopAll: () => controller.stopAll(),
		killAll: () => controller.killAll(),
		openLog(name) {
			const plan = plans.get(name);
			if (!plan) throw new Error(`no node named ${name}`);
			return openLogTail(plan.cwd);
		},
		onlineCpus: () => onlineCpus,
		crashReports: (name, limit) => readCrashReports(crashDir, name, limit),
		close() {
			unsubscribe();
			sampler.stop();
			scraper.stop();
			listeners.clear();
		},
	};
}
