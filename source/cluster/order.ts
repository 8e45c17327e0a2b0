// zeekctl's order: loggers come up first and go down last, so they receive every log the other
// nodes write; workers go down first, so nothing is left capturing with nowhere to send.
import type {NodeType} from './types.js';

export const START_ORDER: readonly NodeType[] = ['logger', 'manager', 'proxy', 'worker'];
export const STOP_ORDER: readonly NodeType[] = ['worker', 'proxy', 'manager', 'logger'];

/** The nodes grouped by type, one stage per type of `order`, empty stages left out. */
export function stages<T extends {type: NodeType}>(
	nodes: readonly T[],
	order: readonly NodeType[],
): T[][] {
	return order
		.map((type) => nodes.filter((node) => node.type === type))
		.filter((stage) => stage.length > 0);
}
