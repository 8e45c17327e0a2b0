// What the stopping dialog says while the cluster goes down after `q` `y`: which stage is being
// stopped, how many of its nodes are left, and when SIGKILL comes. Pure: derived from the
// snapshot (node states and killAt), so the controller needs no extra state for it.
import {STOP_ORDER} from '../cluster/order.js';
import type {NodeSnapshot, NodeType} from '../cluster/types.js';
import {secondsUntil} from './format.js';

const PLURAL: Record<NodeType, string> = {
	worker: 'workers',
	proxy: 'proxies',
	manager: 'manager',
	logger: 'loggers',
};

export const KILL_HINT = 'Ctrl-C kills now.';

/**
 * One line: `Stopping workers (2 left): SIGKILL in 57s. Ctrl-C kills now.`; once SIGKILL was
 * sent, or after Ctrl-C (`killing`), that the nodes are being killed.
 */
export function stopProgress(
	nodes: readonly NodeSnapshot[],
	now: number,
	killing: boolean,
): string {
	const stopping = nodes.filter((node) => node.state === 'stopping');
	if (killing) {
		return stopping.length === 0
			? 'Killing every node…'
			: `Killing every node (${stopping.length} left)…`;
	}
	if (stopping.length === 0) return `Stopping the cluster… ${KILL_HINT}`;
	const types = STOP_ORDER.filter((type) => stopping.some((node) => node.type === type));
	const stage = `Stopping ${types.map((type) => PLURAL[type]).join(', ')} (${stopping.length} left)`;
	const deadline = stopping.reduce<number | undefined>(
		(first, node) =>
			node.killAt === undefined || (first !== undefined && first <= node.killAt)
				? first
				: node.killAt,
		undefined,
	);
	// A stopping node without a deadline has had its SIGKILL already.
	const kill =
		deadline === undefined
			? 'killed, waiting for the exit'
			: `SIGKILL in ${secondsUntil(deadline, now)}s`;
	return `${stage}: ${kill}. ${KILL_HINT}`;
}
