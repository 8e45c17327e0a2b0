// The in-process ClusterClient: the controller's snapshot with CPU/memory samples and Zeek's own
// metrics merged in, the log tails, and the commands. A client of a background daemon would
// implement the same type without the views noticing.
import {openLogTail} from '../logs/log-tail.js';
import {createResourceSampler} from '../metrics/resource-sampler.js';
import {createMetricsScraper} from '../metrics/scraper.js';
import {readOnlineCpus} from './affinity.js';
import type {Controller} from './controller.js';
import type {
	ClusterClient,
	ClusterSnapshot,
	ClusterSpec,
	NodeMetrics,
	ResourceUsage,
} from './types.js';

export type LocalClient = ClusterClient & {
	/** Stops sampling and scraping; the controller and the nodes are left as they are. */
	close(): void;
};

export function createLocalClient(
	controller: Controller,
	spec: ClusterSpec,
	options: {sampleIntervalMs?: number; scrapeIntervalMs?: number} = {},
): LocalClient {
	const listeners = new Set<() => void>();
	let usageByPid = new Map<number, ResourceUsage>();
	const metricsByNode = new Map<string, NodeMetrics>();
	let merged: ClusterSnapshot | undefined;
	let mergedFrom: ClusterSnapshot | undefined;
	const onlineCpus = readOnlineCpus();

	const changed = () => {
		merged = undefined;
		for (const listener of listeners) listener();
	};

	const sampler = createResourceSampler({
		...(options.sampleIntervalMs === undefined ? {} : {intervalMs: options.sampleIntervalMs}),
		onSample(usage) {
			usageByPid = usage;
			changed();
		},
	});
	const scraper = createMetricsScraper({
		...(options.scrapeIntervalMs === undefined ? {} : {intervalMs: options.scrapeIntervalMs}),
		onMetrics(node, metrics) {
			if (metrics) metricsByNode.set(node, metrics);
			else metricsByNode.delete(node);
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
			if (merged && mergedFrom === current) return merged;
			mergedFrom = current;
			merged = {
				...current,
				nodes: current.nodes.map((node) => {
					const usage = node.pid === undefined ? undefined : usageByPid.get(node.pid);
					const metrics = metricsByNode.get(node.name);
					return {...node, ...(usage ? {usage} : {}), ...(metrics ? {metrics} : {})};
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
		openLog(name) {
			const plan = plans.get(name);
			if (!plan) throw new Error(`no node named ${name}`);
			return openLogTail(plan.cwd);
		},
		onlineCpus: () => onlineCpus,
		close() {
			unsubscribe();
			sampler.stop();
			scraper.stop();
			listeners.clear();
		},
	};
}
