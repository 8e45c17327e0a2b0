// When Zeek's own numbers need the operator's eye: the thresholds, and the cluster's totals.
// Pure; the table, the header and the detail view all mark by these.
import type {NodeSnapshot} from '../cluster/types.js';

/** A worker dropping more than this share of its packets is marked. */
export const DROP_ALERT_PERCENT = 1;
/** A worker whose network time lags the clock by more than this is marked. */
export const LAG_ALERT_SECONDS = 5;

/** Follows a marked value, so the mark shows without colour too. */
export const ALERT_MARK = '!';

/** A share beyond 100 % is no figure (shown `?`), not an alarm. */
export const dropAlert = (percent: number | undefined): boolean =>
	percent !== undefined && percent > DROP_ALERT_PERCENT && percent <= 100;

export const lagAlert = (seconds: number | undefined): boolean =>
	seconds !== undefined && seconds > LAG_ALERT_SECONDS;

/** Only workers capture packets: the other nodes' packet numbers are always 0 and mean nothing. */
export const capturesPackets = (node: NodeSnapshot): boolean => node.type === 'worker';

export type ClusterTotals = {
	/** Summed over the workers that gave a rate. */
	packetsPerSecond: number;
	/** Dropped of all offered (received + dropped) over those workers, in percent. */
	dropPercent: number;
	/** The worst lag of any worker whose metrics port answers. */
	worstLagSeconds?: number;
};

/** Dropped packets per second of one worker, from what its metrics say. */
function droppedPerSecond(node: NodeSnapshot): number {
	const metrics = node.metrics;
	if (metrics?.droppedPerSecond !== undefined) return metrics.droppedPerSecond;
	const received = metrics?.packetsPerSecond ?? 0;
	const percent = metrics?.dropPercent ?? 0;
	return percent > 0 && percent < 100 ? (received * percent) / (100 - percent) : 0;
}

/** The workers' packets taken together, or undefined while no worker has given a rate. */
export function clusterTotals(nodes: readonly NodeSnapshot[]): ClusterTotals | undefined {
	const rated = nodes.filter(
		(node) => capturesPackets(node) && node.metrics?.packetsPerSecond !== undefined,
	);
	if (rated.length === 0) return undefined;
	const received = rated.reduce((sum, node) => sum + node.metrics!.packetsPerSecond!, 0);
	const dropped = rated.reduce((sum, node) => sum + droppedPerSecond(node), 0);
	// A lag that is no number says nothing about the worst one.
	const lags = nodes.flatMap((node) =>
		capturesPackets(node) &&
		node.metrics?.lagSeconds !== undefined &&
		!Number.isNaN(node.metrics.lagSeconds)
			? [node.metrics.lagSeconds]
			: [],
	);
	return {
		packetsPerSecond: received,
		dropPercent: received + dropped === 0 ? 0 : (dropped / (received + dropped)) * 100,
		...(lags.length > 0 ? {worstLagSeconds: Math.max(...lags)} : {}),
	};
}
